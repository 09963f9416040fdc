import Foundation
import GafferCore

/// Spend per day as an SVG bar chart drawn on the server, with the budget's daily share as a line.
enum CostChart {
    struct Day {
        var label: String
        var usd: Double
    }

    static func svg(_ days: [Day], dailyBudget: Double?) -> String {
        guard days.contains(where: { $0.usd > 0 }) else { return "<p class=\"empty\">No spend yet this month.</p>" }
        let width = 720.0
        let height = 220.0
        let left = 56.0
        let bottom = 24.0
        let top = 10.0
        let peak = max(days.map(\.usd).max() ?? 0, dailyBudget ?? 0, 0.01)
        let barWidth = (width - left - 10) / Double(days.count)
        func y(_ usd: Double) -> Double { top + (height - top - bottom) * (1 - usd / peak) }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" \
            role="img" aria-label="estimated spend per day" font-family="system-ui, sans-serif" font-size="11">
            <line x1="\(left)" y1="\(y(0))" x2="\(width - 10)" y2="\(y(0))" stroke="#8c959f"/>
            <text x="\(left - 6)" y="\(y(peak) + 4)" text-anchor="end">$\(money(peak))</text>
            <text x="\(left - 6)" y="\(y(0) + 4)" text-anchor="end">$0</text>

            """
        for (index, day) in days.enumerated() {
            let x = left + Double(index) * barWidth
            out +=
                "<rect class=\"bar\" x=\"\(x + 1)\" y=\"\(y(day.usd))\" width=\"\(max(1, barWidth - 2))\" height=\"\(y(0) - y(day.usd))\" fill=\"#0969da\">"
            out += "<title>\(HTMLText.escape(day.label)): $\(money(day.usd))</title></rect>\n"
            if days.count <= 31, index % max(1, days.count / 8) == 0 {
                out += "<text x=\"\(x + barWidth / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTMLText.escape(day.label))</text>\n"
            }
        }
        if let dailyBudget {
            out +=
                "<line class=\"budget\" x1=\"\(left)\" y1=\"\(y(dailyBudget))\" x2=\"\(width - 10)\" y2=\"\(y(dailyBudget))\" stroke=\"#cf222e\" stroke-dasharray=\"6 4\"/>"
            out +=
                "<text x=\"\(width - 12)\" y=\"\(y(dailyBudget) - 4)\" text-anchor=\"end\" fill=\"#cf222e\">budget a day $\(money(dailyBudget))</text>\n"
        }
        return out + "</svg>"
    }

    static func money(_ usd: Double) -> String { String(format: usd >= 100 ? "%.0f" : "%.2f", usd) }
}
