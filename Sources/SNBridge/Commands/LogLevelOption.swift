import ArgumentParser
import Logging

extension Logger.Level: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    public static var allValueStrings: [String] {
        allCases.map(\.rawValue)
    }
}
