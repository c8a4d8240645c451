/// The view model of `compare.html` and `compare.md`. Documented in README.md.
public struct CompareContext {
    public var version: String
    /// Items shown per list; the Markdown renderer lowers it until the comment fits.
    public var itemLimit: Int

    public init(version: String, itemLimit: Int = 500) {
        self.version = version
        self.itemLimit = itemLimit
    }

    static var sections: [(id: String, label: String, path: KeyPath<Comparison, [ComparedTest]>)] {
        [
            ("new-failures", "New failures", \.newFailures),
            ("fixed", "Fixed", \.fixed),
            ("still-failing", "Still failing", \.stillFailing),
            ("newly-skipped", "Newly skipped", \.newlySkipped),
            ("unskipped", "No longer skipped", \.unskipped),
            ("flaky", "Flaky (either side)", \.flaky),
            ("only-in-base", "Only in base (removed or not run)", \.onlyInBase),
            ("only-in-head", "Only in head (added)", \.onlyInHead),
            ("slower", "Slower", \.slower),
            ("faster", "Faster", \.faster),
            ("moved", "Moved to another file", \.moved),
        ]
    }

    public func make(_ comparison: Comparison) -> [String: Any] {
        var context: [String: Any] = [
            "title": comparison.title, "version": version, "headline": headline(comparison),
            "nonce": Nonce.make(comparison.title, headline(comparison), version),
            "identical": comparison.isEmpty, "hasNewFailures": !comparison.newFailures.isEmpty,
            "base": totals(comparison.base), "head": totals(comparison.head),
            "ratio": Format.ratio(comparison.thresholds.ratio),
            "minTime": Format.duration(comparison.thresholds.minTime),
        ]
        context["sections"] = Self.sections.map { section -> [String: Any] in
            let items = comparison[keyPath: section.path]
            var row: [String: Any] = [
                "id": section.id, "label": section.label, "count": items.count, "hasItems": !items.isEmpty,
                "items": items.prefix(itemLimit).map(item),
            ]
            if items.count > itemLimit { row["omitted"] = items.count - itemLimit }
            return row
        }
        context["duplicates"] = comparison.duplicates.prefix(itemLimit).map { duplicate -> [String: Any] in
            [
                "classname": duplicate.classname, "name": duplicate.name, "baseRecords": duplicate.baseRecords,
                "headRecords": duplicate.headRecords,
                "baseOutcomes": duplicate.baseOutcomes.map(\.rawValue).joined(separator: ", "),
                "headOutcomes": duplicate.headOutcomes.map(\.rawValue).joined(separator: ", "),
            ]
        }
        context["hasDuplicates"] = !comparison.duplicates.isEmpty
        context["groupChanges"] = ["source", "classname", "file"].compactMap { label -> [String: Any]? in
            let slower = comparison.groups.slower[label] ?? []
            let faster = comparison.groups.faster[label] ?? []
            guard !slower.isEmpty || !faster.isEmpty else { return nil }
            return [
                "label": label, "rows": (slower + faster).prefix(itemLimit).map(group),
            ]
        }
        context["matching"] = comparison.matching.sorted { $0.key < $1.key }.map {
            ["rule": $0.key, "count": $0.value]
        }
        context["pairedByOtherRules"] = comparison.matching.contains { $0.key != "identity" && $0.value > 0 }
        return context
    }

    public func headline(_ c: Comparison) -> String {
        if c.isEmpty { return "No differences: \(c.head.tests) tests on both sides" }
        var parts: [String] = []
        func add(_ count: Int, _ label: String) { if count > 0 { parts.append("\(count) \(label)") } }
        add(c.newFailures.count, c.newFailures.count == 1 ? "new failure" : "new failures")
        add(c.fixed.count, "fixed")
        add(c.stillFailing.count, "still failing")
        add(c.newlySkipped.count, "newly skipped")
        add(c.onlyInBase.count, "only in base")
        add(c.onlyInHead.count, "only in head")
        add(c.slower.count, "slower")
        add(c.faster.count, "faster")
        add(c.changedDuplicates.count, "changed duplicates")
        return parts.joined(separator: ", ") + " (base \(c.base.tests) tests, head \(c.head.tests) tests)"
    }

    private func totals(_ t: Totals) -> [String: Any] {
        [
            "tests": t.tests, "passed": t.passed, "failed": t.failed, "errored": t.errored, "skipped": t.skipped,
            "flaky": t.flaky, "time": Format.duration(t.time),
        ]
    }

    private func item(_ test: ComparedTest) -> [String: Any] {
        var row: [String: Any] = [
            "classname": test.classname, "name": test.name,
            "identity": test.classname.isEmpty ? test.name : "\(test.classname) › \(test.name)",
            "baseOutcome": test.baseOutcome?.rawValue ?? "absent",
            "headOutcome": test.headOutcome?.rawValue ?? "absent",
            "baseTime": test.baseTime.map(Format.duration) ?? "–",
            "headTime": test.headTime.map(Format.duration) ?? "–",
        ]
        row["file"] = test.file
        row["baseFile"] = test.baseFile
        row["source"] = test.source
        row["ratio"] = test.ratio.map(Format.ratio)
        row["difference"] = test.difference.map { ($0 >= 0 ? "+" : "−") + Format.duration(abs($0)) }
        if let rule = test.matchedBy, rule != "identity" { row["matchedBy"] = rule }
        row["message"] = test.message
        return row
    }

    private func group(_ group: ComparedGroup) -> [String: Any] {
        var row: [String: Any] = [
            "key": group.key ?? "(no file)", "baseTime": Format.duration(group.baseTime),
            "headTime": Format.duration(group.headTime),
            "difference": (group.difference >= 0 ? "+" : "−") + Format.duration(abs(group.difference)),
            "baseTests": group.baseTests, "headTests": group.headTests,
        ]
        row["ratio"] = group.ratio.map(Format.ratio)
        return row
    }
}

extension Format {
    /// `1.52×`.
    public static func ratio(_ value: Double) -> String {
        let text = String((value * 100).rounded() / 100)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + "×"
    }
}
