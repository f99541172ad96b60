import NIOCore
import Testing

@testable import SerialLink

@Suite("Link state machine")
struct StateMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func hello(versions: ClosedRange<UInt8> = 1...1, maximumFrameSize: UInt16 = 256) -> DeviceHello {
        DeviceHello(
            supportedVersions: versions,
            maximumFrameSize: maximumFrameSize,
            deviceIdentity: [0xAA, 0xBB],
            firmwareName: "fw",
            firmwareVersion: "2"
        )
    }

    func linked(_ configuration: SerialLinkConfiguration = SerialLinkConfiguration()) -> SerialLinkStateMachine {
        var machine = SerialLinkStateMachine(configuration: configuration)
        _ = machine.messageReceived(.hello(self.hello()), now: self.start)
        return machine
    }

    @Test func handshakeAcceptsAndAnnouncesOurParameters() {
        var machine = SerialLinkStateMachine()
        let action = machine.messageReceived(.hello(self.hello()), now: self.start)
        #expect(
            action
                == .linkUp(
                    self.hello(),
                    reply: .helloAck(HelloAck(version: 1, maximumFrameSize: 1024, keepaliveSeconds: 15))
                )
        )
        #expect(machine.linkedDevice == self.hello())
        #expect(machine.linkMaximumFrameSize == 256)
    }

    static let versionCases: [(ClosedRange<UInt8>, ClosedRange<UInt8>, UInt8)] = [
        (1...2, 2...3, 2),
        (1...3, 1...1, 1),
        (1...1, 0...4, 1),
    ]

    @Test(arguments: Self.versionCases)
    func versionIsTheHighestCommonOne(gateway: ClosedRange<UInt8>, device: ClosedRange<UInt8>, expected: UInt8) {
        var configuration = SerialLinkConfiguration()
        configuration.supportedVersions = gateway
        var machine = SerialLinkStateMachine(configuration: configuration)
        let action = machine.messageReceived(.hello(self.hello(versions: device)), now: self.start)
        guard case .linkUp(_, .helloAck(let ack)) = action else {
            Issue.record("expected link up, got \(action)")
            return
        }
        #expect(ack.version == expected)
    }

    @Test func versionMismatchIsAnsweredWithRejectAndTheGatewayRange() {
        var machine = SerialLinkStateMachine()
        let action = machine.messageReceived(.hello(self.hello(versions: 2...3)), now: self.start)
        let reject = LinkReject(reason: .unsupportedVersion, gatewayVersions: 1...1)
        #expect(action == .reject(reject, reply: .reject(reject)))
        #expect(machine.linkedDevice == nil)
        #expect(Array(SerialLinkMessage.reject(reject).frame.payload.readableBytesView) == [0x01, 0x01, 0x01])
    }

    @Test func tooSmallFrameSizeAndMalformedHelloAreRejected() {
        var machine = SerialLinkStateMachine()
        let small = machine.messageReceived(.hello(self.hello(maximumFrameSize: 32)), now: self.start)
        #expect(
            small
                == .reject(
                    LinkReject(reason: .frameSizeTooSmall, gatewayVersions: 1...1),
                    reply: .reject(LinkReject(reason: .frameSizeTooSmall, gatewayVersions: 1...1))
                )
        )
        let malformed = machine.frameReceived(
            SerialFrame(type: .hello, payload: ByteBuffer(bytes: [1, 1, 0])),
            now: self.start
        )
        guard case .reject(let reject, _) = malformed else {
            Issue.record("expected reject, got \(malformed)")
            return
        }
        #expect(reject.reason == .malformedHello)
    }

    @Test func mqttsnBeforeHelloAsksForARehelloAtMostOncePerSecond() {
        var machine = SerialLinkStateMachine()
        let message = SerialLinkMessage.mqttsn(ByteBuffer(bytes: [0x02, 0x16]))
        #expect(machine.messageReceived(message, now: self.start) == .send(.reset(.rehello)))
        #expect(machine.messageReceived(message, now: self.start + .milliseconds(500)) == .none)
        #expect(machine.messageReceived(message, now: self.start + .milliseconds(1000)) == .send(.reset(.rehello)))
    }

    @Test func mqttsnIsDeliveredWithItsForwarderNode() {
        var machine = self.linked()
        let plain = ByteBuffer(bytes: [0x02, 0x16])
        #expect(machine.messageReceived(.mqttsn(plain), now: self.start) == .deliverMQTTSN(plain, forwarderNodeID: nil))
        let encapsulated = ByteBuffer(bytes: [0x05, 0xFE, 0x00, 0x00, 0x2A, 0x02, 0x16])
        #expect(
            machine.messageReceived(.mqttsn(encapsulated), now: self.start)
                == .deliverMQTTSN(plain, forwarderNodeID: ByteBuffer(bytes: [0x00, 0x2A]))
        )
    }

    @Test func mqttsnWithAWrongLengthFieldIsDropped() {
        var machine = self.linked()
        let action = machine.frameReceived(
            SerialFrame(type: .mqttsn, payload: ByteBuffer(bytes: [0x05, 0x16])),
            now: self.start
        )
        guard case .dropMalformed = action else {
            Issue.record("expected a drop, got \(action)")
            return
        }
    }

    @Test func liveness() {
        var configuration = SerialLinkConfiguration()
        configuration.keepaliveInterval = .seconds(10)
        var machine = self.linked(configuration)
        #expect(machine.tick(now: self.start + .seconds(9)) == .none)
        guard case .send(.linkPing) = machine.tick(now: self.start + .seconds(10)) else {
            Issue.record("expected a ping after one interval of silence")
            return
        }
        #expect(machine.tick(now: self.start + .seconds(11)) == .none)
        // A quiet device answers: it stays linked.
        #expect(machine.messageReceived(.linkPong(token: ByteBuffer()), now: self.start + .seconds(12)) == .none)
        #expect(machine.tick(now: self.start + .seconds(21)) == .none)
        guard case .send(.linkPing) = machine.tick(now: self.start + .seconds(22)) else {
            Issue.record("expected a ping after the pong went quiet")
            return
        }
        guard case .send(.linkPing) = machine.tick(now: self.start + .seconds(32)) else {
            Issue.record("expected a second unanswered ping")
            return
        }
        // A hung device does not: lost after three intervals of silence.
        #expect(machine.tick(now: self.start + .seconds(41)) == .none)
        #expect(machine.tick(now: self.start + .seconds(42)) == .linkLost(.silence))
        #expect(machine.linkState == .lost(.silence))
        #expect(machine.tick(now: self.start + .seconds(60)) == .none)
    }

    @Test func anyValidFrameCountsAsLife() {
        var configuration = SerialLinkConfiguration()
        configuration.keepaliveInterval = .seconds(10)
        var machine = self.linked(configuration)
        _ = machine.messageReceived(.mqttsn(ByteBuffer(bytes: [0x02, 0x16])), now: self.start + .seconds(9))
        #expect(machine.tick(now: self.start + .seconds(18)) == .none)
    }

    @Test func devicePingIsAnsweredInAnyState() {
        var machine = SerialLinkStateMachine()
        let token = ByteBuffer(bytes: [7])
        #expect(machine.messageReceived(.linkPing(token: token), now: self.start) == .send(.linkPong(token: token)))
    }

    @Test func aStalledDeviceThatWakesUpIsAskedToSayHelloAgain() {
        var configuration = SerialLinkConfiguration()
        configuration.keepaliveInterval = .seconds(1)
        var machine = self.linked(configuration)
        #expect(machine.tick(now: self.start + .seconds(3)) == .linkLost(.silence))
        // Its answers to our old pings arrive late: it thinks it is linked, so it must start over.
        #expect(
            machine.messageReceived(.linkPong(token: ByteBuffer()), now: self.start + .seconds(4))
                == .send(.reset(.rehello))
        )
        #expect(machine.linkState == .lost(.silence))
        guard case .linkUp = machine.messageReceived(.hello(self.hello()), now: self.start + .seconds(4)) else {
            Issue.record("expected the link back up")
            return
        }
    }

    @Test func helloWhileLinkedIsARelink() {
        var machine = self.linked()
        let action = machine.messageReceived(.hello(self.hello()), now: self.start + .seconds(1))
        guard case .relink = action else {
            Issue.record("expected relink, got \(action)")
            return
        }
    }

    @Test func closingWhileLinkedLosesTheLink() {
        var machine = self.linked()
        #expect(machine.channelClosed() == .linkLost(.channelClosed))
        #expect(machine.messageReceived(.hello(self.hello()), now: self.start) == .none)
        var unlinked = SerialLinkStateMachine()
        #expect(unlinked.channelClosed() == .none)
    }

    @Test func gatewayResetSendsResetAndLosesTheLink() {
        var machine = self.linked()
        #expect(
            machine.resetRequested(.rehello, now: self.start) == .sendAndLinkLost(.reset(.rehello), .resetByGateway)
        )
        #expect(machine.linkedDevice == nil)
    }

    @Test func sendingRequiresALinkAndRespectsTheLinkMaximum() throws {
        let unlinked = SerialLinkStateMachine()
        #expect(throws: SerialLinkStateMachine.SendError.notLinked) {
            try unlinked.frameForMQTTSN(ByteBuffer(bytes: [2, 0x17]), forwarderNodeID: nil)
        }
        let machine = self.linked()
        #expect(throws: SerialLinkStateMachine.SendError.tooLarge) {
            try machine.frameForMQTTSN(ByteBuffer(repeating: 1, count: 254), forwarderNodeID: nil)
        }
        let frame = try machine.frameForMQTTSN(ByteBuffer(bytes: [2, 0x17]), forwarderNodeID: ByteBuffer(bytes: [9]))
        #expect(Array(frame.payload.readableBytesView) == [0x04, 0xFE, 0x00, 0x09, 0x02, 0x17])
    }
}
