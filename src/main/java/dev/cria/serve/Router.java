package dev.cria.serve;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Dispatches requests by method and exact path, and checks on every request who is calling and whether
 * they may: an API key ({@code Authorization: Bearer ...}) or a session cookie; the route's access
 * level; and, for a state-changing request made with the cookie, the session's CSRF token in the
 * {@code X-CSRF-Token} header. Every refusal or mistake becomes a JSON error (or, for a page, a
 * redirect to the login form). Anything else that goes wrong is logged here with its stack trace under
 * a short random id, and the client gets a 500 that names only that id: no file path or internal
 * message reaches it.
 */
public final class Router extends Handler.Abstract {
    public static final String SESSION_COOKIE = "cria_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    /** Who may call a route. */
    public enum Access { PUBLIC, SIGNED_IN, ADMIN }

    @FunctionalInterface
    public interface Handler {
        void handle(Call call) throws Exception;
    }

    private record Route(Access access, boolean page, Handler handler) {
    }

    /** A route for every path under {@code prefix} (which ends in '/'); the handler reads the rest from {@link Call#path()}. */
    private record PrefixRoute(String method, String prefix, Route route) {
    }

    private final Accounts accounts;
    private final Limits limits;
    private final Map<String, Route> routes = new HashMap<>();
    private final Set<String> paths = new HashSet<>();
    private final List<PrefixRoute> prefixRoutes = new ArrayList<>();

    public Router(Accounts accounts, Limits limits) {
        this.accounts = accounts;
        this.limits = limits;
    }

    public Router get(String path, Access access, Handler handler) {
        return add("GET", path, access, handler);
    }

    public Router post(String path, Access access, Handler handler) {
        return add("POST", path, access, handler);
    }

    /** GET of any path below {@code prefix}, e.g. {@code /v1/models/} for {@code /v1/models/{id}}; exact routes win. */
    public Router getUnder(String prefix, Access access, Handler handler) {
        if (!prefix.endsWith("/")) throw new IllegalArgumentException("a prefix ends in '/': " + prefix);
        prefixRoutes.add(new PrefixRoute("GET", prefix, new Route(access, false, handler)));
        return this;
    }

    private Router add(String method, String path, Access access, Handler handler) {
        boolean page = method.equals("GET") && !path.startsWith("/api/") && !path.startsWith("/v1/");
        routes.put(method + " " + path, new Route(access, page, handler));
        paths.add(path);
        return this;
    }

    private Route find(String method, String path) {
        Route exact = routes.get(method + " " + path);
        if (exact != null) return exact;
        for (PrefixRoute p : prefixRoutes) {
            if (p.method().equals(method) && path.startsWith(p.prefix()) && path.length() > p.prefix().length()) return p.route();
        }
        return null;
    }

    /** Runs on the request's own virtual thread, so a handler may block on the body or the model. */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var call = new Call(request, response, limits);
        try {
            dispatch(call);
        } catch (ApiError e) {
            if (!call.responded()) call.error(e);
        } catch (java.io.UncheckedIOException e) {
            // a client that hung up mid-reply: nothing to answer, nothing to log
            if (!call.responded()) call.error(new ApiError(500, null, "internal error"));
        } catch (Exception e) {
            String id = Passwords.randomToken(6);
            System.err.println("cria serve: error " + id + ": " + call.method() + " " + call.path() + " failed:");
            e.printStackTrace();
            if (!call.responded()) call.error(new ApiError(500, null, "internal error " + id + "; the server's log has the details", "internal_error"));
        }
        try {
            call.finish(callback);
        } catch (RuntimeException e) {
            // subtle: Jetty keeps the connection until the callback completes, so it must, whatever happened
            callback.failed(e);
        }
        return true;
    }

    private void dispatch(Call call) throws Exception {
        Route route = find(call.method(), call.path());
        if (route == null) {
            if (paths.contains(call.path())) throw new ApiError(405, "method", "method: " + call.method() + " is not allowed on " + call.path());
            throw new ApiError(404, "path", "path: nothing at " + call.path());
        }
        authenticate(call);
        if (route.access() != Access.PUBLIC && call.user == null) {
            if (route.page()) {
                call.redirect("/login");
                return;
            }
            throw new ApiError(401, "Authorization", "sign in, or send an API key as 'Authorization: Bearer KEY'");
        }
        if (route.access() == Access.ADMIN && !call.user.isAdmin()) {
            throw new ApiError(403, null, "this needs the admin role; " + call.user.name() + " is a labeller");
        }
        // public routes (the sign-in form) carry their own token: there may be no session yet
        if (route.access() != Access.PUBLIC && call.session != null && !call.method().equals("GET") && !call.method().equals("HEAD")) {
            checkCsrf(call);
        }
        route.handler().handle(call);
    }

    /** Sets {@code call.user} from a valid API key or session cookie; a key that is present but wrong is refused outright. */
    private void authenticate(Call call) {
        String auth = call.header("Authorization");
        if (auth != null) {
            if (!auth.startsWith("Bearer ")) throw new ApiError(401, "Authorization", "Authorization: expected 'Bearer KEY'");
            User user = accounts.byApiKey(auth.substring("Bearer ".length()).strip());
            if (user == null) throw new ApiError(401, "Authorization", "Authorization: unknown API key");
            call.user = user;
            return;
        }
        String token = call.cookie(SESSION_COOKIE);
        if (token != null && !token.isEmpty()) {
            Accounts.Session session = accounts.session(token);
            if (session != null) {
                call.session = session;
                call.user = session.user();
            }
        }
    }

    private static void checkCsrf(Call call) {
        String sent = call.header(CSRF_HEADER);
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), call.session.csrf().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(403, CSRF_HEADER, CSRF_HEADER + ": missing or wrong CSRF token (reload the page)");
        }
    }
}
