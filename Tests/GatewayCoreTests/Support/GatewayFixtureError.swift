import GatewayCore
import MQTTSN

enum GatewayFixtureError: Error {
    case connectRefused(MQTTSNReturnCode)
    case conditionNotMet(sessions: [GatewaySessionSnapshot], statistics: GatewayStatistics)
}
