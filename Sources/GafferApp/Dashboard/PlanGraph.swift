import Foundation
import GafferCore

/// A plan drawn as SVG on the server: each step a box coloured by its state, in columns by how many
/// steps come before it, with an arrow from each step it depends on.
enum PlanGraph {
    static let boxWidth = 190.0
    static let boxHeight = 52.0
    static let columnGap = 60.0
    static let rowGap = 18.0

    static func colour(_ state: StepState) -> (fill: String, stroke: String) {
        switch state {
        case .succeeded: ("#dafbe1", "#1a7f37")
        case .running: ("#ddf4ff", "#0969da")
        case .failed, .blocked: ("#ffebe9", "#cf222e")
        case .pending: ("#f6f8fa", "#8c959f")
        case .skipped, .cancelled: ("#fff8c5", "#9a6700")
        }
    }

    /// Each step's column: one more than the furthest step it depends on (a dependency missing from the plan counts as none).
    static func columns(_ steps: [Step]) -> [String: Int] {
        let byID = Dictionary(steps.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var column: [String: Int] = [:]
        func place(_ id: String, _ visiting: Set<String>) -> Int {
            if let known = column[id] { return known }
            guard let step = byID[id], !visiting.contains(id) else { return -1 }
            let value = (step.dependsOn.map { place($0, visiting.union([id])) }.max() ?? -1) + 1
            column[id] = value
            return value
        }
        for step in steps { _ = place(step.id, []) }
        return column
    }

    static func svg(_ steps: [Step]) -> String {
        guard !steps.isEmpty else { return "<p class=\"empty\">The plan has no steps.</p>" }
        let column = columns(steps)
        var rowOf: [String: Int] = [:]
        var filled: [Int: Int] = [:]
        for step in steps {
            let c = column[step.id] ?? 0
            rowOf[step.id] = filled[c, default: 0]
            filled[c, default: 0] += 1
        }
        func origin(_ id: String) -> (x: Double, y: Double) {
            (10 + Double(column[id] ?? 0) * (boxWidth + columnGap), 10 + Double(rowOf[id] ?? 0) * (boxHeight + rowGap))
        }
        let width = 20 + Double((column.values.max() ?? 0) + 1) * (boxWidth + columnGap) - columnGap
        let height = 20 + Double(filled.values.max() ?? 1) * (boxHeight + rowGap) - rowGap
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" \
            role="img" aria-label="the plan's steps and their dependencies" font-family="system-ui, sans-serif" font-size="12">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">\
            <path d="M0,0 L10,5 L0,10 z" fill="#59636e"/></marker></defs>

            """
        let known = Set(steps.map(\.id))
        for step in steps {
            let to = origin(step.id)
            for dependency in step.dependsOn where known.contains(dependency) {
                let from = origin(dependency)
                out +=
                    "<line class=\"edge\" x1=\"\(from.x + boxWidth)\" y1=\"\(from.y + boxHeight / 2)\" x2=\"\(to.x)\" y2=\"\(to.y + boxHeight / 2)\" "
                out += "stroke=\"#59636e\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n"
            }
        }
        for step in steps {
            let (x, y) = origin(step.id)
            let (fill, stroke) = colour(step.state)
            out +=
                "<g class=\"step \(step.state.rawValue)\" data-step=\"\(HTMLText.escape(step.id))\"><title>\(HTMLText.escape(step.id)): \(step.state.rawValue)"
            if let error = step.error { out += " (\(HTMLText.escape(error)))" }
            out += "</title>"
            out +=
                "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"6\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1.5\"/>"
            out += "<text x=\"\(x + 10)\" y=\"\(y + 20)\" font-weight=\"600\">\(HTMLText.escape(String(step.id.prefix(26))))</text>"
            out += "<text x=\"\(x + 10)\" y=\"\(y + 38)\" fill=\"#59636e\">\(step.agent.rawValue) · \(step.state.rawValue)</text></g>\n"
        }
        return out + "</svg>"
    }

}
