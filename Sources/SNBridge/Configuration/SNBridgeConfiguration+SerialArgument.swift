import Yams

extension SNBridgeConfiguration {
    /// Applies `--serial PATH[,baud=N][,framing=raw][,reset=POLICY][,link_keepalive=DURATION]` options, each read
    /// exactly like a `serial.ports` entry (the same keys, defaults and checks). A port the file lists as well takes
    /// the flag's settings; a path given twice on the command line is an error.
    mutating func applySerialArguments(_ arguments: [String], reporter: (String, String) -> Void) {
        let reader = ConfigurationReader()
        var seen: Set<String> = []
        for (index, argument) in arguments.enumerated() {
            let key = arguments.count == 1 ? "--serial" : "--serial[\(index)]"
            guard let node = Self.serialArgumentNode(argument, key: key, reporter: reporter) else { continue }
            guard let settings = Self.readSerialPort(ConfigurationReader.Cursor(node: node, path: key), with: reader)
            else {
                continue
            }
            guard seen.insert(settings.path).inserted else {
                reporter(key, "gives \(settings.path) a second time")
                continue
            }
            if let existing = serialPorts.firstIndex(where: { $0.path == settings.path }) {
                serialPorts[existing] = settings
            } else {
                serialPorts.append(settings)
            }
        }
        for error in reader.errors {
            reporter(error.key, error.problem)
        }
    }

    /// `PATH,key=value,...` as the mapping a `serial.ports` entry would be, or nil with the problem reported.
    private static func serialArgumentNode(_ argument: String, key: String, reporter: (String, String) -> Void) -> Node?
    {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let path = parts.first, !path.isEmpty, !path.contains("=") else {
            reporter(key, "expected PATH[,baud=N][,framing=raw], e.g. /dev/ttyACM0,baud=115200, got '\(argument)'")
            return nil
        }
        var pairs: [(Node, Node)] = [(Node("path"), Node(path))]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "="), equals != part.startIndex else {
                reporter(key, "expected key=value after the path (baud, framing, reset, link_keepalive), got '\(part)'")
                return nil
            }
            let name = String(part[..<equals])
            guard !pairs.contains(where: { $0.0.string == name }) else {
                reporter("\(key).\(name)", "given twice in '\(argument)'")
                return nil
            }
            pairs.append((Node(name), Node(String(part[part.index(after: equals)...]))))
        }
        return .mapping(Node.Mapping(pairs))
    }
}
