import MQTTSN
import NIOCore
import NIOPosix
import Synchronization

/// Many MQTT-SN clients behind one UDP socket, as a radio-to-UDP forwarder puts them (Forwarder Encapsulation,
/// section 5.5): node `i` is wireless node id `i` (four octets, big-endian), its own session at the gateway. It is
/// how the bench holds 100,000 sessions with a few sockets (this machine allows 20,000 open files).
///
/// ```
///  +--------+------+------+--------------+---------------------------------+
///  | Length | 0xFE | Ctrl | node id (4)  | MQTT-SN message (CONNECT, ...)  |
///  +--------+------+------+--------------+---------------------------------+
/// ```
///
/// As a ``LoadPublisher`` it sends QoS 0 PUBLISHes on predefined topic id 1, one node after another. Confined to its
/// event loop, except the counters.
final class ForwarderFleet: LoadPublisher, DatagramReceiving, @unchecked Sendable {
    let index: Int
    let channel: any Channel
    let nodes: Range<Int>
    let counters = PublishCounters()
    /// Nodes whose CONNECT was answered with CONNACK 0x00.
    let connected = Atomic<Int>(0)
    var eventLoop: any EventLoop { channel.eventLoop }

    // Confined to the event loop.
    private var accepted: [Bool]
    private var nextToConnect = 0
    private var outstanding = 0
    private var connectWindow = 0
    private var keepAlive: UInt16 = 3_600
    private var allConnected: EventLoopPromise<Void>?
    private var packet = ByteBuffer()
    private var payloadStart = 0
    private var nextNode = 0
    private var sequence: UInt32 = 0
    private var sending = false

    static let headerLength = 7

    private init(index: Int, channel: any Channel, nodes: Range<Int>) {
        self.index = index
        self.channel = channel
        self.nodes = nodes
        self.accepted = Array(repeating: false, count: nodes.count)
    }

    /// A forwarder on a fresh loopback socket connected to the bridge at `gateway`, for `nodes`.
    static func make(
        index: Int,
        nodes: Range<Int>,
        gateway: SocketAddress,
        on eventLoop: any EventLoop
    ) async throws
        -> ForwarderFleet
    {
        let handler = BridgeDatagramHandler<ForwarderFleet>()
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64))
            .channelOption(.maxMessagesPerRead, value: 64)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(to: gateway)
            .get()
        let fleet = ForwarderFleet(index: index, channel: channel, nodes: nodes)
        try await eventLoop.submit { handler.receiver = fleet }.get()
        return fleet
    }

    /// CONNECTs every node, at most `window` unanswered at a time; nodes not answered within a second are sent their
    /// CONNECT again (a datagram the kernel dropped). Completes when all are accepted.
    func connectAll(keepAlive: UInt16, window: Int) -> EventLoopFuture<Void> {
        self.eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: Void.self)
            self.allConnected = promise
            self.keepAlive = keepAlive
            self.connectWindow = window
            self.sendConnects()
            self.scheduleResend()
            return promise.futureResult
        }
    }

    private func sendConnects() {
        while self.outstanding < self.connectWindow, self.nextToConnect < self.nodes.count {
            self.sendConnect(self.nextToConnect)
            self.nextToConnect += 1
            self.outstanding += 1
        }
        self.channel.flush()
    }

    private func sendConnect(_ offset: Int) {
        let node = self.nodes.lowerBound + offset
        var message = ByteBuffer()
        try? MQTTSNPacket.connect(MQTTSNConnect(cleanSession: true, duration: self.keepAlive, clientID: "fwd-\(node)"))
            .encode(into: &message)
        self.channel.write(
            MQTTSNForwarderEncapsulation.wrap(message, wirelessNodeID: Self.nodeID(node)),
            promise: nil
        )
    }

    private func scheduleResend() {
        self.eventLoop.scheduleTask(in: .seconds(1)) {
            guard self.allConnected != nil else { return }
            // Whatever was sent more than a second ago and is still unanswered: again.
            for offset in 0..<self.nextToConnect where !self.accepted[offset] {
                self.sendConnect(offset)
            }
            self.channel.flush()
            self.scheduleResend()
        }
    }

    static func nodeID(_ node: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: node).bigEndian) { Array($0) }
    }

    /// Called by the handler for every datagram from the bridge.
    func received(_ datagram: ByteBuffer) {
        guard let envelope = try? MQTTSNForwarderEncapsulation.open(datagram),
            envelope.wirelessNodeID.readableBytes == 4,
            let node = envelope.wirelessNodeID.getInteger(at: envelope.wirelessNodeID.readerIndex, as: UInt32.self)
        else { return }
        var message = envelope.message
        guard case .connectAck(let ack) = try? MQTTSNPacket.decode(from: &message) else { return }
        let offset = Int(node) - self.nodes.lowerBound
        guard self.accepted.indices.contains(offset), ack.returnCode == .accepted, !self.accepted[offset] else {
            return
        }
        self.accepted[offset] = true
        self.outstanding -= 1
        if self.connected.add(1, ordering: .relaxed).newValue == self.nodes.count {
            self.allConnected?.succeed()
            self.allConnected = nil
        } else {
            self.sendConnects()
        }
    }

    // MARK: LoadPublisher (QoS 0 on predefined topic id 1, round robin over the nodes)

    func begin(_ run: PublishRun, credit: DeliveryCredit) {
        let template = BenchPayload.template(size: run.payloadSize, runID: run.runID, clientIndex: 0)
        var message = ByteBuffer()
        try? MQTTSNPacket.publish(
            MQTTSNPublish(qos: .atMostOnce, topicIDType: .predefined, topicID: 1, payload: ByteBuffer(bytes: template))
        ).encode(into: &message)
        self.packet = MQTTSNForwarderEncapsulation.wrap(message, wirelessNodeID: Self.nodeID(0))
        self.payloadStart = self.packet.writerIndex - template.count
        self.sequence = 0
        self.sending = true
    }

    func sendOne() -> Bool {
        guard self.sending else { return false }
        let node = self.nodes.lowerBound + self.nextNode
        self.nextNode = (self.nextNode + 1) % self.nodes.count
        self.packet.setInteger(UInt32(truncatingIfNeeded: node), at: 3)
        self.packet.setInteger(UInt32(truncatingIfNeeded: node), at: self.payloadStart + BenchPayload.clientOffset)
        BenchPayload.stamp(
            &self.packet,
            payloadStart: self.payloadStart,
            sequence: self.sequence,
            sendTime: MonotonicClock.nanoseconds()
        )
        self.sequence &+= 1
        self.counters.sent.add(1, ordering: .relaxed)
        self.channel.writeAndFlush(self.packet, promise: nil)
        return true
    }

    func fill() {}

    func end() {
        self.sending = false
    }

    func close() async {
        try? await self.channel.close()
    }
}
