/// What a ``DeviceMatchRule`` matches on. Every criterion that is set must match; a device matches the USB id
/// criterion when it matches any of the listed ids.
public struct DeviceMatchCriteria: Sendable, Hashable {
    /// USB ids, any of which matches.
    public var usbIDs: [USBIDPattern]
    /// The exact USB serial number.
    public var serialNumber: String?
    /// A glob (`fnmatch`) over the `/dev/serial/by-id/` links; see ``DeviceMatchCriteria/linkMatches(_:_:)``.
    public var byIDGlob: String?
    /// A glob over the `/dev/serial/by-path/` link (or `ID_PATH` when there is no link).
    public var byPathGlob: String?
    /// A udev property that must have a given value, typically one our rules file sets. Only the properties kept in
    /// ``DiscoveredSerialDevice/properties`` (`ID_*`, `SNBRIDGE_*`, tags and a few more) can be matched.
    public var udevProperty: UdevPropertyMatch?

    public init(
        usbIDs: [USBIDPattern] = [],
        serialNumber: String? = nil,
        byIDGlob: String? = nil,
        byPathGlob: String? = nil,
        udevProperty: UdevPropertyMatch? = nil
    ) {
        self.usbIDs = usbIDs
        self.serialNumber = serialNumber
        self.byIDGlob = byIDGlob
        self.byPathGlob = byPathGlob
        self.udevProperty = udevProperty
    }

    /// Whether no criterion is set (such criteria match nothing rather than everything).
    public var isEmpty: Bool {
        usbIDs.isEmpty && serialNumber == nil && byIDGlob == nil && byPathGlob == nil && udevProperty == nil
    }

    /// Whether `device` satisfies every criterion that is set.
    public func matches(_ device: DiscoveredSerialDevice) -> Bool {
        guard !isEmpty else { return false }
        if !usbIDs.isEmpty,
            !usbIDs.contains(where: { $0.matches(vendorID: device.vendorID, productID: device.productID) })
        {
            return false
        }
        if let serialNumber, device.serialNumber != serialNumber {
            return false
        }
        if let byIDGlob, !device.byID.contains(where: { Self.linkMatches(byIDGlob, $0) }) {
            return false
        }
        if let byPathGlob {
            let candidates = [device.byPath, device.idPath].compactMap { $0 }
            guard candidates.contains(where: { Self.linkMatches(byPathGlob, $0) }) else { return false }
        }
        if let udevProperty, device.properties[udevProperty.key] != udevProperty.value {
            return false
        }
        return true
    }

    /// Matches a link glob: against the whole path when the pattern contains a `/`, otherwise against the link's
    /// name, so both `/dev/serial/by-id/usb-Silicon_Labs_*` and `usb-Silicon_Labs_*` work.
    static func linkMatches(_ pattern: String, _ link: String) -> Bool {
        if pattern.contains("/") {
            return Glob.matches(pattern, link)
        }
        let name = link.split(separator: "/").last.map(String.init) ?? link
        return Glob.matches(pattern, name)
    }
}
