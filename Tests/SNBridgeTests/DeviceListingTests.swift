import DeviceDiscovery
import Foundation
import Testing

@testable import SNBridge

/// `snbridge devices`: how udev's view and a bridge's retained list combine, and how they are shown.
@Suite("snbridge devices listing")
struct DeviceListingTests {
    static let cp2102 = DiscoveredSerialDevice(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
        devnode: "/dev/ttyUSB0",
        vendorID: 0x10c4,
        productID: 0xea60,
        serialNumber: "0001A2B3",
        product: "CP2102 USB to UART Bridge Controller",
        interfaceNumber: 0,
        matchedRule: DeviceMatcher().firstMatch(
            for: DiscoveredSerialDevice(syspath: "", devnode: "", vendorID: 0x10c4, productID: 0xea60)
        )
    )

    @Test("Live state replaces 'present' for the same identity; the bridge's other devices are added")
    func mergeWithLiveState() {
        let since = Date(timeIntervalSince1970: 0)
        let live = [
            DeviceRecord(
                id: "usb-10c4:ea60-0001A2B3-if00",
                path: "/dev/ttyUSB0",
                usbID: "10c4:ea60",
                rule: "cp210x",
                origin: .discovered,
                state: "connected",
                since: since
            ),
            DeviceRecord(
                id: "serial-dev_ttyAMA0",
                path: "/dev/ttyAMA0",
                origin: .configured,
                state: "linked",
                since: since
            ),
        ]
        let listing = DeviceSnapshot.merge(discovered: [Self.cp2102], live: live)
        #expect(
            listing == [
                DeviceListing(
                    id: "usb-10c4:ea60-0001A2B3-if00",
                    path: "/dev/ttyUSB0",
                    usbID: "10c4:ea60",
                    rule: "cp210x",
                    state: "connected",
                    source: "udev+bridge",
                    product: "CP2102 USB to UART Bridge Controller",
                    serial: "0001A2B3"
                ),
                DeviceListing(
                    id: "serial-dev_ttyAMA0",
                    path: "/dev/ttyAMA0",
                    usbID: nil,
                    rule: nil,
                    state: "linked",
                    source: "bridge"
                ),
            ]
        )
    }

    @Test("When the bridge is offline, the states it reported are marked as such")
    func offlineBridge() {
        let live = [
            DeviceRecord(
                id: "usb-10c4:ea60-0001A2B3-if00",
                path: "/dev/ttyUSB0",
                usbID: "10c4:ea60",
                rule: "cp210x",
                origin: .discovered,
                state: "connected",
                since: Date(timeIntervalSince1970: 0)
            )
        ]
        let listing = DeviceSnapshot.merge(discovered: [Self.cp2102], live: live, bridgeOffline: true)
        #expect(listing.map(\.state) == ["connected, bridge offline"])
    }

    @Test("Without a bridge every discovered device is 'present'; nothing at all is an empty JSON array")
    func withoutBridge() {
        let listing = DeviceSnapshot.merge(discovered: [Self.cp2102], live: [])
        #expect(listing.map(\.state) == ["present"])
        #expect(listing.map(\.source) == ["udev"])
        #expect(StatusJSON.encode(DeviceSnapshot.merge(discovered: [], live: [])) == "[]")
    }

    @Test("The table lines its columns up under a header")
    func table() {
        let listing = DeviceSnapshot.merge(discovered: [Self.cp2102], live: [])
        #expect(
            listing.table == """
                PATH          ID                           USB ID     RULE    STATE    SOURCE
                /dev/ttyUSB0  usb-10c4:ea60-0001A2B3-if00  10c4:ea60  cp210x  present  udev
                """
        )
    }

    @Test("A configured port's identity comes from its path, in topic-safe characters")
    func configuredIdentity() {
        #expect(DeviceDescriptor.configured(path: "/dev/ttyAMA0").id == "serial-dev_ttyAMA0")
        #expect(DeviceDescriptor.configured(path: "/tmp/a b/tty+1").id == "serial-tmp_a_b_tty_1")
    }
}
