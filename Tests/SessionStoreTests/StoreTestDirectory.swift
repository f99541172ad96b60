import Foundation
import Logging
import NIOPosix

@testable import SessionStore

/// A temporary state directory for one test, removed afterwards, and stores opened in it.
final class StoreTestDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("snbridge-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var path: String { url.path }
    var filePath: String { url.appendingPathComponent(SessionStoreConfiguration.fileName).path }

    func configuration(
        synchronous: SessionStoreSynchronous = .full,
        perClient: OutageBufferLimits = SessionStoreConfiguration.defaultOutageBufferPerClient,
        total: OutageBufferLimits = SessionStoreConfiguration.defaultOutageBufferTotal
    ) -> SessionStoreConfiguration {
        SessionStoreConfiguration(
            location: .directory(path),
            synchronous: synchronous,
            outageBufferPerClient: perClient,
            outageBufferTotal: total
        )
    }

    func open(_ configuration: SessionStoreConfiguration? = nil) async throws -> SessionStore {
        try await SessionStore.open(configuration: configuration ?? self.configuration(), logger: .storeTests)
    }

    /// Every file in the directory, by name.
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

extension Logger {
    static let storeTests: Logger = {
        var logger = Logger(label: "session-store-tests")
        logger.logLevel = .critical
        return logger
    }()
}

extension SessionRecord {
    /// A record whose state is `value` as text, for tests.
    static func sample(_ clientID: String, value: String, incarnation: UInt64 = 1) -> SessionRecord {
        SessionRecord(
            clientID: clientID,
            formatVersion: 3,
            state: Data(value.utf8),
            lastAddress: "udp:192.0.2.7:50123",
            deadline: Date(timeIntervalSince1970: 1_900_000_000.25),
            incarnation: incarnation
        )
    }
}

/// An event loop for futures in tests.
let testEventLoop = MultiThreadedEventLoopGroup.singleton.next()
