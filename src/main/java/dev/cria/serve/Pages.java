package dev.cria.serve;

import java.util.List;

/**
 * The labelling pages, rendered on the server. Every text goes through {@link Html#text}; the pages'
 * script ({@code /static/app.js}) sets model text with {@code textContent}, never as markup, and the
 * Content-Security-Policy allows no inline script at all.
 */
public final class Pages {
    private Pages() {
    }

    /** The frame of every signed-in page: header, navigation, the session's CSRF token for the script. */
    static String layout(Call call, String title, String active, String body) {
        User user = call.user();
        String csrf = call.session() == null ? "" : call.session().csrf();
        var nav = new StringBuilder();
        nav.append(link("/compare", "Compare", active)).append(link("/rate", "Rate", active)).append(link("/mine", "My labels", active))
                .append(link("/playground", "Playground", active));
        if (user.isAdmin()) nav.append(link("/dashboard", "Dashboard", active)).append(link("/admin", "Admin", active));
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <meta name="csrf" content="%s"><title>%s · Cria</title><link rel="stylesheet" href="/static/style.css"></head>
                <body><header><span class="brand">Cria <small>human feedback</small></span><nav>%s</nav>
                <span class="who">%s <small>(%s)</small> <button id="logout" class="link">Sign out</button></span></header>
                <main>%s</main><script src="/static/app.js"></script></body></html>
                """.formatted(Html.text(csrf), Html.text(title), nav, Html.text(user.name()), Html.text(user.role().dbName()), body);
    }

    private static String link(String href, String label, String active) {
        return "<a href=\"" + href + "\"" + (label.equals(active) ? " class=\"active\"" : "") + ">" + label + "</a>";
    }

    static String login(String csrf, String error) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Sign in · Cria</title><link rel="stylesheet" href="/static/style.css"></head>
                <body class="login"><main><form method="post" action="/login" class="card narrow">
                <h1>Cria <small>human feedback</small></h1>%s
                <input type="hidden" name="csrf" value="%s">
                <label>Name <input name="name" id="name" autocomplete="username" maxlength="32" required autofocus></label>
                <label>Password <input name="password" id="password" type="password" autocomplete="current-password" maxlength="200" required></label>
                <button type="submit" id="sign-in">Sign in</button>
                <p class="hint">Accounts are made by an admin: <code>./cria serve user add NAME --run DIR</code>.</p>
                </form></main></body></html>
                """.formatted(error == null ? "" : "<p class=\"error\">" + Html.text(error) + "</p>", Html.text(csrf));
    }

    /** The compare page, with its first item already in place (escaped) so labelling starts at once. */
    static String compare(Call call, Item item, long remaining) {
        String body = """
                <section class="card" id="labeller" data-kind="pair" data-item="%s">
                <div class="meta"><span id="remaining">%s left</span><span id="status" role="status"></span></div>
                <div id="task" %s>
                <h2>Prompt</h2><div id="prompt" class="prompt">%s</div>
                <div class="answers">
                  <article class="answer"><h3>Answer A</h3><div id="answer-a" class="text">%s</div></article>
                  <article class="answer"><h3>Answer B</h3><div id="answer-b" class="text">%s</div></article>
                </div>
                <textarea id="comment" maxlength="%d" placeholder="Comment (optional)"></textarea>
                <div class="choices">
                  <button data-choice="a" id="choose-a">A is better <kbd>1</kbd></button>
                  <button data-choice="b" id="choose-b">B is better <kbd>2</kbd></button>
                  <button data-choice="tie" id="choose-tie">Tie <kbd>3</kbd></button>
                  <button data-choice="bad" id="choose-bad">Both bad <kbd>4</kbd></button>
                </div></div>
                <p id="empty" class="empty" %s>Nothing left to compare. New pairs appear here as they are generated.</p>
                <p class="hint">Keys: <kbd>1</kbd>/<kbd>A</kbd> A better, <kbd>2</kbd>/<kbd>B</kbd> B better, <kbd>3</kbd>/<kbd>T</kbd> tie, <kbd>4</kbd>/<kbd>X</kbd> both bad. Each choice is saved in the background and the next pair shows at once.</p>
                </section>""".formatted(item == null ? "" : item.id(), remaining, item == null ? "hidden" : "", Html.text(item == null ? "" : item.prompt()),
                Html.text(item == null ? "" : item.answerA()), Html.text(item == null ? "" : item.answerB()), Labels.MAX_COMMENT, item == null ? "" : "hidden");
        return layout(call, "Compare", "Compare", body);
    }

    static String rate(Call call, Item item, long remaining) {
        String body = """
                <section class="card" id="labeller" data-kind="single" data-item="%s">
                <div class="meta"><span id="remaining">%s left</span><span id="status" role="status"></span></div>
                <div id="task" %s>
                <h2>Prompt</h2><div id="prompt" class="prompt">%s</div>
                <article class="answer"><h3>Answer</h3><div id="answer-a" class="text">%s</div></article>
                <details id="edit-box"><summary>Edit into a better answer <kbd>E</kbd></summary>
                <textarea id="edited" maxlength="%d" rows="8"></textarea>
                <p class="hint">An edited answer becomes fine-tuning data, and a preference for your edit over the original.</p></details>
                <textarea id="comment" maxlength="%d" placeholder="Comment (optional)"></textarea>
                <div class="choices">
                  <button data-choice="up" id="choose-up">👍 Good <kbd>+</kbd></button>
                  <button data-choice="down" id="choose-down">👎 Bad <kbd>-</kbd></button>
                </div></div>
                <p id="empty" class="empty" %s>Nothing left to rate.</p>
                </section>""".formatted(item == null ? "" : item.id(), remaining, item == null ? "hidden" : "", Html.text(item == null ? "" : item.prompt()),
                Html.text(item == null ? "" : item.answerA()), Labels.MAX_EDIT, Labels.MAX_COMMENT, item == null ? "" : "hidden");
        return layout(call, "Rate", "Rate", body);
    }

    static String mine(Call call, List<Label> labels, long total) {
        var rows = new StringBuilder();
        for (Label l : labels) {
            rows.append("<tr><td>").append(l.id()).append("</td><td>").append(l.itemId()).append("</td><td>").append(Html.text(l.choice()))
                    .append("</td><td>").append(Html.text(l.comment())).append("</td><td>").append(l.edited() == null ? "" : "edited")
                    .append("</td><td>").append(Html.text(l.createdAt())).append("</td></tr>");
        }
        String body = """
                <section class="card"><h2>My labels <small>%d in all, newest first</small></h2>
                <table><thead><tr><th>label</th><th>item</th><th>choice</th><th>comment</th><th>edit</th><th>when</th></tr></thead>
                <tbody>%s</tbody></table></section>""".formatted(total, rows);
        return layout(call, "My labels", "My labels", body);
    }

    static String playground(Call call, List<String> models) {
        var options = new StringBuilder();
        for (String m : models) options.append("<option>").append(Html.text(m)).append("</option>");
        String body = """
                <section class="card" id="playground">
                <h2>Playground</h2>
                <div class="row"><label>Model <select id="model-a">%s</select></label>
                <label>Compare with <select id="model-b"><option value="">(none)</option>%s</select></label>
                <label>Temperature <input id="temperature" type="number" min="0" max="2" step="0.1" value="0.8"></label>
                <label>Max tokens <input id="max-tokens" type="number" min="1" max="1024" value="200"></label></div>
                <div class="answers"><div id="chat-a" class="chat"></div><div id="chat-b" class="chat" hidden></div></div>
                <textarea id="message" rows="3" maxlength="4000" placeholder="Write a story about a cat named Tom who loses his ball."></textarea>
                <div class="choices"><button id="send">Send <kbd>Ctrl+Enter</kbd></button><button id="clear" class="secondary">New chat</button></div>
                <p class="hint">Answers stream from <code>/v1/chat/completions</code>, the OpenAI-compatible API. With a second model, both answer the same message, side by side.</p>
                </section>""".formatted(options, options);
        return layout(call, "Playground", "Playground", body);
    }

    static String forbidden(Call call) {
        return layout(call, "Not allowed", "", "<section class=\"card\"><h2>Not allowed</h2><p>This page needs the admin role.</p></section>");
    }
}
