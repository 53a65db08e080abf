package io.promfetcher.status;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.api.Reply;
import io.promfetcher.api.Request;
import io.promfetcher.exposition.MediaRange;
import java.nio.charset.StandardCharsets;

/**
 * The operator pages' HTML: escaping, one page frame with its style sheet (inline: the gateway
 * often runs where there is no internet, so nothing is loaded from elsewhere), and whether a
 * caller wants a page or JSON. Colours keep a contrast of at least 4.5:1; state is always said in
 * words as well as in colour.
 */
final class Html {
    static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private static final String STYLE = """
            :root{--ink:#1b1f24;--muted:#4a5360;--line:#c9d1da;--bg:#ffffff;--band:#f3f5f8;--head:#12355b;--link:#0a4f9e;
            --ok:#0b6b2e;--ok-bg:#e4f3e8;--bad:#a1130f;--bad-bg:#fdecea;--warn:#6f4700;--warn-bg:#fff3dc}
            *{box-sizing:border-box}
            body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
            a{color:var(--link)} a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
            .skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em}.skip:focus{left:.5em}
            header.top{background:var(--head);color:#fff;padding:.75rem 1rem}
            header.top h1{margin:0;font-size:1.35rem} header.top a{color:#fff}
            header.top p{margin:.2rem 0 0;color:#e6edf5}
            nav ul{list-style:none;margin:.5rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
            main{max-width:1240px;margin:0 auto;padding:1rem}
            section{margin:0 0 2rem}
            h2{font-size:1.2rem;margin:1.2rem 0 .6rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}
            h3{font-size:1.05rem;margin:1rem 0 .4rem}
            dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
            dl.facts dt{font-weight:600} dl.facts dd{margin:0}
            .table{overflow-x:auto;border:1px solid var(--line);border-radius:4px}
            table{border-collapse:collapse;width:100%;font-size:.95rem}
            caption{text-align:left;padding:.4rem .6rem;color:var(--muted);caption-side:top}
            th,td{padding:.35rem .6rem;border-top:1px solid var(--line);text-align:left;vertical-align:top}
            thead th{background:var(--band);border-top:0;white-space:nowrap}
            tbody th{font-weight:600}
            td.num,th.num{text-align:right}
            code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:break-word}
            .badge{display:inline-block;padding:0 .45em;border-radius:3px;font-weight:600;white-space:nowrap}
            .ok{color:var(--ok);background:var(--ok-bg)} .bad{color:var(--bad);background:var(--bad-bg)} .warn{color:var(--warn);background:var(--warn-bg)}
            .muted{color:var(--muted)}
            form.filter{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0 1rem}
            form.filter label{display:flex;flex-direction:column;font-weight:600;font-size:.9rem}
            form.filter input{font:inherit;padding:.3rem .4rem;border:1px solid #7a8594;border-radius:3px;min-width:10rem}
            form.filter label.live{flex-direction:row;align-items:center;gap:.4rem;font-weight:400}
            form.filter label.live input{min-width:0;width:auto}
            button{font:inherit;padding:.35rem .9rem;border:1px solid var(--head);background:var(--head);color:#fff;border-radius:3px;cursor:pointer}
            p.summary{font-size:1.1rem;padding:.6rem .8rem;background:var(--band);border-left:4px solid var(--head)}
            footer{max-width:1240px;margin:0 auto;padding:1rem;color:var(--muted);border-top:1px solid var(--line)}
            @media (max-width:640px){body{font-size:15px} main{padding:.6rem} dl.facts{grid-template-columns:1fr} dl.facts dd{margin-bottom:.4rem}
            form.filter input{min-width:0;width:100%} form.filter label{flex:1 1 40%}
            table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
            table.cards,table.cards tbody,table.cards tr,table.cards td,table.cards th{display:block;width:100%}
            table.cards caption{display:block;width:100%}
            table.cards tr{display:flex;flex-direction:column;border-top:1px solid var(--line);padding:.4rem 0}
            table.cards tbody th{order:-1;font-size:1.05rem}
            table.cards td,table.cards th{border:0;padding:.1rem .6rem;text-align:left}
            table.cards td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
            """;

    private Html() {}

    /** Text made safe for element content and attribute values. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A whole page: the header band with the page's title and navigation, {@code main}, a footer, and an optional script. */
    static String page(String title, String subtitle, String nav, String main, String script) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + esc(title) + "</title><style>" + STYLE + "</style></head><body>"
                + "<a class=\"skip\" href=\"#main\">Skip to content</a>"
                + "<header class=\"top\"><h1>" + esc(title) + "</h1><p>" + subtitle + "</p>" + nav + "</header>"
                + "<main id=\"main\">" + main + "</main>"
                + "<footer><p>Machine-readable: <a href=\"/routes\">/routes</a> (route table, JSON) · "
                + "<a href=\"/v1/sd\">/v1/sd</a> (service discovery) · <a href=\"/metrics\">/metrics</a> (gateway metrics) · "
                + "<a href=\"/health\">/health</a> · <a href=\"/ready\">/ready</a></p></footer>"
                + (script.isEmpty() ? "" : "<script>" + script + "</script>")
                + "</body></html>\n";
    }

    static String badge(String cssClass, String text) {
        return "<span class=\"badge " + cssClass + "\">" + esc(text) + "</span>";
    }

    static Reply reply(HttpResponseStatus status, String html) {
        return Reply.of(status, CONTENT_TYPE, Unpooled.copiedBuffer(html, StandardCharsets.UTF_8))
                .withHeader("Cache-Control", "no-store")
                .withHeader("Vary", "Accept");
    }

    /**
     * Whether the caller wants the page rather than JSON: {@code ?format=html|json} decides, else
     * an {@code Accept} that names {@code text/html} at least as high as JSON (what browsers send).
     */
    static boolean wantsHtml(Request request) {
        String format = request.queryParameter("format").orElse("");
        if (format.equals("html") || format.equals("json")) {
            return format.equals("html");
        }
        double html = 0;
        double json = 0;
        for (MediaRange range : MediaRange.parseAccept(request.header("Accept").orElse(""))) {
            String type = range.type() + "/" + range.subtype();
            if (type.equals("text/html")) {
                html = Math.max(html, range.q());
            } else if (type.equals("application/json")) {
                json = Math.max(json, range.q());
            }
        }
        return html > 0 && html >= json;
    }
}
