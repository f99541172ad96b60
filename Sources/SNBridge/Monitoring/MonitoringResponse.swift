import NIOCore
import NIOHTTP1

/// One answer of the monitoring listener: status, content type and body.
struct MonitoringResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: ByteBuffer
    /// More header fields: `X-Total-Count` and `Link` of a paged list.
    var headers: [(name: String, value: String)] = []

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

    /// A page of a JSON list, with `X-Total-Count` (rows in all) and, when there are more, `Link: <...>; rel="next"`.
    static func jsonPage(_ text: String, path: String, request: PageRequest, total: Int) -> MonitoringResponse {
        var response = MonitoringResponse.json(text)
        response.headers.append((name: "X-Total-Count", value: "\(total)"))
        var links: [String] = []
        if let next = request.next(total: total) { links.append("<\(path)?\(next.query)>; rel=\"next\"") }
        if let previous = request.previous() { links.append("<\(path)?\(previous.query)>; rel=\"prev\"") }
        if !links.isEmpty { response.headers.append((name: "Link", value: links.joined(separator: ", "))) }
        return response
    }

    static func error(_ status: HTTPResponseStatus, _ message: String) -> MonitoringResponse {
        .json(StatusJSON.encode(["error": message]), status: status)
    }
}
