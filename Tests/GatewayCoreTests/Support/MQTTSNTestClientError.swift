/// Why a test client call failed.
enum MQTTSNTestClientError: Error {
    case timedOut
}
