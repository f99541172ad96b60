import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

/// Gateway discovery (specification section 6.1): SEARCHGW answered with GWINFO, ADVERTISE sent out of a socket
/// that reaches its destination.
///
/// ```
///   SEARCHGW on a listener ──► GWINFO to the sender, same listener
///   SEARCHGW on a group    ──► reply: multicast ─► GWINFO to the group, out of the group's interface
///                          └─► reply: unicast   ─► GWINFO to the sender, through a listener that reaches it
///   ADVERTISE to a group   ──► that group's socket (IP_MULTICAST_IF = its interface)
///   ADVERTISE elsewhere    ──► the first listener that reaches it; none: one warning naming the destination
/// ```
extension GatewayEngine {
    /// SEARCHGW answers per second, all searchers together: clients search when they start or lose their gateway,
    /// and back off between searches (section 6.1), so a real network stays far below this.
    static let searchGatewayBudgetPerSecond = 10.0
    /// SEARCHGW answered at once before the rate applies (a plant powering up together).
    static let searchGatewayBurst = 20

    func searchGatewayReceived(from address: MQTTSNClientAddress, via transport: any MQTTSNTransport) {
        guard self.searchGatewayBudget.take(now: self.eventLoop.now) else {
            self.metrics.dropped(ClientDropReason.searchGatewayRateLimited.rawValue)
            let metadata: Logger.Metadata = [
                "peer.address": "\(address)", "drop.suppressed": "\(self.searchGatewayWarnings.suppressed)",
            ]
            if self.searchGatewayWarnings.admit() {
                self.searchGatewayWarnings.resetSuppressed()
                self.logger.notice(
                    "SEARCHGW not answered: more than the gateway answers per second",
                    metadata: metadata
                )
            } else {
                self.logger.debug("SEARCHGW not answered: more than the gateway answers per second", metadata: metadata)
            }
            return
        }
        let info = MQTTSNPacket.gatewayInfo(MQTTSNGatewayInfo(gatewayID: self.configuration.gatewayID))
        guard let membership = self.multicastMemberships.first(where: { $0.transport === transport }) else {
            self.send(info, to: address, via: transport)
            return
        }
        switch membership.reply {
        case .multicast:
            // Section 5.4.3: GWINFO answering SEARCHGW goes out with the broadcast service of the network.
            self.send(info, to: .udp(membership.transport.group), via: membership.transport)
        case .unicast:
            let listener = self.transports.first { candidate in
                candidate is UDPTransport && candidate.canReach(address)
            }
            self.send(info, to: address, via: listener ?? transport)
        }
    }

    /// The socket ADVERTISE to `destination` leaves from: the group's own socket for a joined group, else the
    /// first UDP listener that can reach it, else a group socket of its family. `nil` (and a warning, once per
    /// destination) when no socket can.
    func advertiseTransport(for destination: SocketAddress) -> (any MQTTSNTransport)? {
        if let membership = self.multicastMemberships.first(where: { $0.transport.isGroup(destination) }) {
            return membership.transport
        }
        let address = MQTTSNClientAddress.udp(destination)
        if let listener = self.transports.first(where: { $0 is UDPTransport && $0.canReach(address) }) {
            return listener
        }
        if let membership = self.multicastMemberships.first(where: { $0.transport.canReach(address) }) {
            return membership.transport
        }
        if self.unreachableAdvertiseDestinations.insert(destination).inserted {
            self.logger.warning(
                "ADVERTISE destination unreachable from every UDP socket; not sent",
                metadata: [
                    "advertise.destination": "\(destination)",
                    "listener.addresses": "\(self.transports.compactMap { ($0 as? UDPTransport)?.localAddress })",
                ]
            )
        }
        return nil
    }
}
