/// Inline SVG bar charts of where time went: rows of pre-computed geometry for the templates.
enum TimeChart {
    static let width = 360.0

    /// The ten groups with the most time, each with its bar width and label position.
    static func bars(_ groups: [GroupStats], total: Double, limit: Int = 10) -> [String: Any] {
        let top = Array(groups.prefix(limit))
        let largest = top.first?.time ?? 0
        let rows = top.enumerated().map { index, group -> [String: Any] in
            let width = largest > 0 ? (group.time / largest * width * 10).rounded() / 10 : 0
            return [
                "key": group.key ?? "(no file)", "y": index * 22, "textY": index * 22 + 14, "width": width,
                "time": Format.duration(group.time), "share": Format.percent(group.time, of: total),
            ]
        }
        return ["rows": rows, "height": max(top.count * 22, 22), "hasRows": !rows.isEmpty]
    }
}
