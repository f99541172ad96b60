extension [DeviceListing] {
    /// The listing as a table with a header, columns as wide as their widest cell.
    var table: String {
        let header = ["PATH", "ID", "USB ID", "RULE", "STATE", "SOURCE"]
        let rows = map { [$0.path, $0.id, $0.usbID ?? "-", $0.rule ?? "-", $0.state, $0.source] }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
