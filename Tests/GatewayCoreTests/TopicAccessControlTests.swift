import Testing

@testable import GatewayCore

/// The ACL file's rules as a table: what each client may publish, subscribe to and receive.
@Suite("Topic ACLs (mosquitto syntax)")
struct TopicAccessControlTests {
    static let file = """
        # Everyone may read public topics.
        topic read public/#
        user boiler-operator
        topic readwrite plant/boiler/#
        topic deny plant/boiler/firmware
        user viewer
        topic read plant/#
        pattern write devices/%c/#
        pattern read devices/%c/cmd/+
        pattern readwrite users/%u/inbox
        """
    static let protected = ["snbridge/#", "$SYS/#"]

    static func access(_ clientID: String, username: String? = nil) throws -> ClientTopicAccess {
        try TopicAccessControl(parsing: file)
            .access(clientID: clientID, username: username ?? clientID, protected: protected)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var clientID: String
        var username: String?
        var topic: String
        var publish: Bool
        var receive: Bool
        var testDescription: String { "\(clientID)/\(username ?? "-") \(topic)" }
    }

    @Test(
        "publish and receive",
        arguments: [
            Case(
                clientID: "boiler-7",
                username: "boiler-operator",
                topic: "plant/boiler/7/setpoint",
                publish: true,
                receive: true
            ),
            Case(
                clientID: "boiler-7",
                username: "boiler-operator",
                topic: "plant/boiler/firmware",
                publish: false,
                receive: false
            ),
            Case(
                clientID: "boiler-7",
                username: "boiler-operator",
                topic: "plant/mixer/1",
                publish: false,
                receive: false
            ),
            Case(clientID: "forger", topic: "plant/boiler/7/setpoint", publish: false, receive: false),
            Case(clientID: "viewer", topic: "plant/mixer/1", publish: false, receive: true),
            Case(clientID: "anyone", topic: "public/news", publish: false, receive: true),
            Case(clientID: "anyone", topic: "public", publish: false, receive: true),
            // %c: each device in its own tree.
            Case(clientID: "dev-1", topic: "devices/dev-1/temp", publish: true, receive: false),
            Case(clientID: "dev-1", topic: "devices/dev-2/temp", publish: false, receive: false),
            Case(clientID: "dev-1", topic: "devices/dev-1/cmd/reset", publish: true, receive: true),
            Case(clientID: "dev-1", topic: "devices/dev-1/cmd/a/b", publish: true, receive: false),
            // %u: the user name, or the client id without one.
            Case(clientID: "dev-1", username: "alice", topic: "users/alice/inbox", publish: true, receive: true),
            Case(clientID: "dev-1", topic: "users/dev-1/inbox", publish: true, receive: true),
            // A client id that would widen a pattern matches no pattern.
            Case(clientID: "#", topic: "devices/x/temp", publish: false, receive: false),
            Case(clientID: "+", topic: "devices/x/temp", publish: false, receive: false),
            Case(clientID: "a/b", topic: "devices/a/b/temp", publish: false, receive: false),
        ]
    )
    func publishAndReceive(_ row: Case) throws {
        let access = try Self.access(row.clientID, username: row.username)
        #expect(access.mayPublish(to: row.topic) == row.publish)
        #expect(access.mayReceive(from: row.topic) == row.receive)
    }

    @Test("subscriptions: inside a readable rule, not covered by a deny rule")
    func subscriptions() throws {
        let viewer = try Self.access("viewer")
        #expect(viewer.maySubscribe(to: "plant/#"))
        #expect(viewer.maySubscribe(to: "plant/+/temp"))
        #expect(!viewer.maySubscribe(to: "#"))
        #expect(!viewer.maySubscribe(to: "$SYS/#"))
        #expect(!viewer.maySubscribe(to: "+/boiler"))
        let operatorAccess = try Self.access("boiler-7", username: "boiler-operator")
        #expect(operatorAccess.maySubscribe(to: "plant/boiler/#"))
        #expect(!operatorAccess.maySubscribe(to: "plant/boiler/firmware"))
        let device = try Self.access("dev-1")
        #expect(device.maySubscribe(to: "devices/dev-1/cmd/+"))
        #expect(!device.maySubscribe(to: "devices/dev-1/cmd/#"))
        #expect(!device.maySubscribe(to: "devices/+/cmd/+"))
    }

    @Test("without an ACL file everything is allowed except writing the protected prefixes")
    func unrestricted() {
        let access = ClientTopicAccess.unrestricted(protected: Self.protected)
        #expect(access.mayPublish(to: "anything/at/all"))
        #expect(!access.mayPublish(to: "snbridge/bridge/status"))
        #expect(!access.mayPublish(to: "snbridge"))
        #expect(!access.mayPublish(to: "$SYS/broker/uptime"))
        #expect(access.mayReceive(from: "snbridge/bridge/status"))
        #expect(access.maySubscribe(to: "#"))
    }

    @Test("a `topic #` grant does not reach $SYS, as in MQTT")
    func dollarTopics() throws {
        let access = try TopicAccessControl(parsing: "topic readwrite #\ntopic read +/x")
            .access(clientID: "c", username: "c", protected: [])
        #expect(access.mayPublish(to: "a/b"))
        #expect(!access.mayReceive(from: "$SYS/x"))
        #expect(!access.maySubscribe(to: "$SYS/#"))
        #expect(access.maySubscribe(to: "a/#"))
        let protected = try TopicAccessControl(parsing: "topic readwrite #")
            .access(clientID: "c", username: "c", protected: Self.protected)
        #expect(!protected.mayPublish(to: "snbridge/bridge/status"))
        #expect(protected.mayReceive(from: "snbridge/bridge/status"))
    }

    @Test(
        "bad lines are refused with their line number",
        arguments: [
            ("topic sideways a/b", "line 1: access must be read, write, readwrite or deny, not 'sideways'"),
            ("\nuser", "line 2: 'user' needs a user name"),
            ("topic read a/#/b", "line 1: 'a/#/b' is not a valid topic filter"),
            ("group x", "line 1: expected 'user', 'topic' or 'pattern', not 'group'"),
            ("topic read a b c", "line 1: expected 'topic [read|write|readwrite|deny] <topic>'"),
        ]
    )
    func badLines(_ text: String, _ problem: String) {
        #expect(throws: GatewayConfigurationError(field: "gateway.acl_file", problem: problem)) {
            try TopicAccessControl(parsing: text)
        }
    }
}
