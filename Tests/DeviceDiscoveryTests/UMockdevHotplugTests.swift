import Testing

/// Discovery against a umockdev test bed: real libudev, real uevents, the real discovery thread, in the probe.
///
/// Each wait is for the probe's next line with a deadline; events come from one monitor on one thread, so their order
/// is exact and "the next line" is a precise expectation (an unmatched device shows up as a missing line).
@Suite("Discovery under umockdev")
struct UMockdevHotplugTests {
    @Test("a CP2102 present at start is found, removed, re-added, and keeps its identity on another port")
    func cp2102Lifecycle() async throws {
        try await DiscoveryProbe.withTestbed { testbed, startProbe in
            let board = FakeUSBSerialAdapter.cp2102(usbPort: "1-2", ttyName: "ttyUSB0")
            try await testbed.add(board.umockdevDescription)
            let probe = try startProbe()

            let found = try await probe.nextRecord()
            #expect(found.event == "added")
            #expect(found.syspath == board.ttySyspath)
            #expect(found.devnode == "/dev/ttyUSB0")
            #expect(found.vendorID == "10c4")
            #expect(found.productID == "ea60")
            #expect(found.serialNumber == "0001A2B3")
            #expect(found.manufacturer == "Silicon Labs")
            #expect(found.product == "CP2102 USB to UART Bridge Controller")
            #expect(found.interfaceNumber == 0)
            #expect(found.idPath == board.idPath)
            #expect(found.byPath == board.byPath)
            #expect(found.byID == [board.byID].compactMap { $0 })
            #expect(found.identity == "usb-10c4:ea60-0001A2B3-if00")
            #expect(found.identitySource == "usb-serial")
            #expect(found.rule == "cp210x")
            #expect(found.properties?["SNBRIDGE_DEVICE"] == "1")
            #expect(try await probe.nextRecord().event == "enumerationCompleted")

            try await testbed.remove(board.syspathsLeafFirst)
            let removed = try await probe.nextRecord()
            #expect(removed.event == "removed")
            #expect(removed.syspath == board.ttySyspath)
            #expect(removed.identity == found.identity)

            try await testbed.add(board.umockdevDescription)
            let readded = try await probe.nextRecord()
            #expect(readded.event == "added")
            #expect(readded.syspath == board.ttySyspath)
            #expect(readded.identity == found.identity)

            // Replugged into another hub port, after another board took ttyUSB0: new tty name, new path, same identity.
            try await testbed.remove(board.syspathsLeafFirst)
            #expect(try await probe.nextRecord().event == "removed")
            let replugged = FakeUSBSerialAdapter.cp2102(usbPort: "1-4", ttyName: "ttyUSB1")
            try await testbed.add(replugged.umockdevDescription)
            let moved = try await probe.nextRecord()
            #expect(moved.event == "added")
            #expect(moved.devnode == "/dev/ttyUSB1")
            #expect(moved.byPath == replugged.byPath)
            #expect(moved.byPath != found.byPath)
            #expect(moved.identity == found.identity)

            // Stopping joins the discovery thread and ends the event stream; the probe then says so and exits cleanly.
            #expect(try await probe.stop() == 0)
            #expect(try await probe.nextRecord().event == "finished")
        }
    }

    @Test("unknown chips are ignored; boards without serial get a path identity; native USB CDC is found")
    func filteringAndIdentitySources() async throws {
        try await DiscoveryProbe.withTestbed { testbed, startProbe in
            let probe = try startProbe()
            #expect(try await probe.nextRecord().event == "enumerationCompleted")

            let mystery = FakeUSBSerialAdapter.unknown(usbPort: "1-1", ttyName: "ttyUSB0")
            let ch340 = FakeUSBSerialAdapter.ch340(usbPort: "1-3", ttyName: "ttyUSB1")
            try await testbed.add(mystery.umockdevDescription)
            try await testbed.add(ch340.umockdevDescription)
            // The unknown chip's event came first on the same monitor; the next line being the CH340 proves it was dropped.
            let nano = try await probe.nextRecord()
            #expect(nano.event == "added")
            #expect(nano.syspath == ch340.ttySyspath)
            #expect(nano.serialNumber == nil)
            #expect(nano.byID == [])
            #expect(nano.identity == "path-pci-0000:00:14.0-usb-0:3:1.0")
            #expect(nano.identitySource == "path")
            #expect(nano.rule == "ch340")

            let esp32 = FakeUSBSerialAdapter.esp32S3(usbPort: "1-5", ttyName: "ttyACM0")
            try await testbed.add(esp32.umockdevDescription)
            let s3 = try await probe.nextRecord()
            #expect(s3.event == "added")
            #expect(s3.devnode == "/dev/ttyACM0")
            #expect(s3.syspath == esp32.ttySyspath)
            #expect(s3.identity == "usb-303a:1001-F4:12:FA:5C:3B:10-if00")
            #expect(s3.rule == "esp32-usb")

            // Removing the ignored device reports nothing: the next line is the CH340's removal.
            try await testbed.remove(mystery.syspathsLeafFirst)
            try await testbed.remove(ch340.syspathsLeafFirst)
            let gone = try await probe.nextRecord()
            #expect(gone.event == "removed")
            #expect(gone.syspath == ch340.ttySyspath)
        }
    }
}
