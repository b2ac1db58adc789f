package dev.cria.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * The browser side: sign-in (a form with a double-submit CSRF cookie, since there is no session yet,
 * and a {@link LoginThrottle} against guessing), sign-out, the pages, and the static script and style
 * sheet from the class path.
 */
final class PageRoutes {
    private static final String LOGIN_CSRF_COOKIE = "cria_login_csrf";
    private final RunDir run;
    private final PairQueue queue;
    private final ModelHost host;
    private final int labelsPerItem;
    private final LoginThrottle throttle = new LoginThrottle(InstantSource.system());

    PageRoutes(RunDir run, PairQueue queue, ModelHost host, int labelsPerItem) {
        this.run = run;
        this.queue = queue;
        this.host = host;
        this.labelsPerItem = labelsPerItem;
    }

    void register(Router router) {
        router.get("/", Router.Access.SIGNED_IN, c -> c.redirect("/compare"));
        router.get("/login", Router.Access.PUBLIC, this::loginForm);
        router.post("/login", Router.Access.PUBLIC, this::login);
        router.post("/api/logout", Router.Access.SIGNED_IN, this::logout);
        router.get("/compare", Router.Access.SIGNED_IN, c -> c.html(200, Pages.compare(c, next(c, Item.PAIR), run.items.remaining(c.user(), Item.PAIR, labelsPerItem))));
        router.get("/rate", Router.Access.SIGNED_IN, c -> c.html(200, Pages.rate(c, next(c, Item.SINGLE), run.items.remaining(c.user(), Item.SINGLE, labelsPerItem))));
        router.get("/mine", Router.Access.SIGNED_IN, c -> c.html(200, Pages.mine(c, run.labels.list(c.user(), 200, 0),
                run.stats.perPerson().stream().filter(p -> p.user().equals(c.user().name())).mapToLong(LabelStats.PersonCount::total).sum())));
        router.get("/playground", Router.Access.SIGNED_IN, c -> c.html(200, Pages.playground(c, run.modelNames())));
        router.get("/dashboard", Router.Access.SIGNED_IN, c -> adminPage(c, () -> DashboardPage.render(c, run, queue.jobs(), host.training())));
        router.get("/admin", Router.Access.SIGNED_IN, c -> adminPage(c, () -> AdminPage.render(c, run, queue.jobs())));
        router.get("/static/app.js", Router.Access.PUBLIC, c -> c.text(200, "text/javascript; charset=utf-8", resource("app.js")));
        router.get("/static/style.css", Router.Access.PUBLIC, c -> c.text(200, "text/css; charset=utf-8", resource("style.css")));
        router.get("/healthz", Router.Access.PUBLIC, c -> c.json(200, Map.of("ok", true)));
    }

    private Item next(Call call, String kind) {
        return run.items.next(call.user(), kind, List.of(), labelsPerItem);
    }

    /** Admin pages answer a labeller with a 403 page rather than a redirect loop. */
    private static void adminPage(Call call, java.util.function.Supplier<String> page) {
        if (!call.user().isAdmin()) call.html(403, Pages.forbidden(call));
        else call.html(200, page.get());
    }

    private void loginForm(Call call) {
        String csrf = Passwords.randomToken(24);
        call.setCookie(LOGIN_CSRF_COOKIE, csrf, 3600);
        call.html(200, Pages.login(csrf, null));
    }

    private void login(Call call) {
        Map<String, String> form = call.form();
        String cookie = call.cookie(LOGIN_CSRF_COOKIE), sent = form.get("csrf");
        if (cookie == null || sent == null || !java.security.MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(403, "csrf", "csrf: the sign-in form expired; reload it");
        }
        String name = form.getOrDefault("name", ""), password = form.getOrDefault("password", "");
        if (name.length() > 32 || password.length() > 200) throw ApiError.badField(name.length() > 32 ? "name" : "password", "too long");
        name = name.strip();
        String address = call.remoteAddress();
        try {
            throttle.check(name, address);
        } catch (ApiError lockedOut) {
            // a person at the form gets the form back with the reason, not a JSON body
            call.setCookie(LOGIN_CSRF_COOKIE, sent, 3600);
            call.setHeader("Retry-After", Long.toString(lockedOut.retryAfterSeconds()));
            call.html(429, Pages.login(sent, "Not now: " + lockedOut.getMessage() + "."));
            return;
        }
        Accounts.Session session = run.accounts.login(name, password);
        if (session == null) {
            throttle.failed(name, address);
            String fresh = Passwords.randomToken(24);
            call.setCookie(LOGIN_CSRF_COOKIE, fresh, 3600);
            call.html(401, Pages.login(fresh, "Wrong name or password."));
            return;
        }
        throttle.succeeded(name);
        call.setCookie(Router.SESSION_COOKIE, session.token(), Accounts.SESSION_SECONDS);
        call.redirect("/compare");
    }

    private void logout(Call call) {
        if (call.session() != null) run.accounts.logout(call.session().token());
        call.setCookie(Router.SESSION_COOKIE, "", 0);
        call.json(200, Map.of("signed_out", true));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PageRoutes.class.getResourceAsStream("/serve/" + name)) {
            if (in == null) throw new IOException("missing resource /serve/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
