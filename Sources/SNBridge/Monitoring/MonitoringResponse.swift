import NIOCore
import NIOHTTP1

/// One answer of the monitoring listener: status, content type and body.
struct MonitoringResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: ByteBuffer

    init(status: HTTPResponseStatus = .ok, contentType: String, body: ByteBuffer) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    init(status: HTTPResponseStatus = .ok, contentType: String, text: String) {
        self.init(status: status, contentType: contentType, body: ByteBuffer(string: text))
    }

    static func json(_ text: String, status: HTTPResponseStatus = .ok) -> MonitoringResponse {
        MonitoringResponse(status: status, contentType: "application/json", text: text)
    }

    static func error(_ status: HTTPResponseStatus, _ message: String) -> MonitoringResponse {
        .json(StatusJSON.encode(["error": message]), status: status)
    }
}
