import Testing

@testable import SNBridge

@Suite("Status session client id")
struct StatusClientIDTests {
    @Test("Two bridges on one host differ by gateway id, two hosts of one name by machine id")
    func defaultClientIDs() {
        let machineA = "4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f\n"
        let machineB = "0123456789abcdef0123456789abcdef\n"
        let first = StatusSettings.defaultClientID(host: "raspberrypi", gatewayID: 1, machineID: machineA)
        #expect(first == "snbridge-raspberrypi-1-4f1c2d3e")
        #expect(StatusSettings.defaultClientID(host: "raspberrypi", gatewayID: 2, machineID: machineA) != first)
        #expect(StatusSettings.defaultClientID(host: "raspberrypi", gatewayID: 1, machineID: machineB) != first)
        #expect(StatusSettings.defaultClientID(host: "gw.example.com", gatewayID: 7, machineID: nil) == "snbridge-gw-7")
        #expect(StatusSettings.defaultClientID(host: "", gatewayID: 1, machineID: "short") == "snbridge-host-1")
    }
}
