import Testing

@testable import MimicReport

@Suite struct HTMLTests {
    @Test func escapesMarkupCharacters() {
        #expect(HTML.escape(#"<script>alert("x" & 'y')</script>"#) == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        #expect(HTML.escape("plain ünïcode → ok") == "plain ünïcode → ok")
        // Escaping is not idempotent on purpose: an ampersand in text is always escaped.
        #expect(HTML.escape("&amp;") == "&amp;amp;")
    }

    /// Escaped text never holds a raw markup character, for any input.
    @Test func escapedTextHasNoMarkup() {
        let alphabet = Array("<>&\"'a é\n")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let text = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let escaped = HTML.escape(text)
            #expect(!escaped.contains { "<>\"'".contains($0) })
            #expect(escaped.replacingOccurrences(of: "&", with: "").count >= text.filter { $0 != "&" }.count)
        }
    }

    @Test func formatsCountsDurationsAndPercentages() {
        #expect(HTML.count(0) == "0")
        #expect(HTML.count(999) == "999")
        #expect(HTML.count(1_000_000) == "1\u{2009}000\u{2009}000")
        #expect(HTML.count(-12345) == "-12\u{2009}345")
        #expect(HTML.duration(0.25) == "250 ms")
        #expect(HTML.duration(8.4165) == "8.42 s")
        #expect(HTML.duration(245) == "4 min 05 s")
        #expect(HTML.duration(7380) == "2 h 03 min")
        #expect(HTML.duration(.nan) == "–")
        #expect(HTML.percent(0.87) == "87.0 %")
    }
}
