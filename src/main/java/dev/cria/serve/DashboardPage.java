package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.train.MetricsLog;
import dev.cria.train.RunDirectory;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin's overview: labels per person, agreement on shared items, the numbered rounds of every method
 * with their figures (held-out accuracy of the reward model or the DPO policy, final losses, PPO's or KTO's
 * KL, the pairs an online round retired), and the rounds' training curves drawn as SVG from their
 * metrics.jsonl files.
 */
final class DashboardPage {
    private DashboardPage() {
    }

    static String render(Call call, RunDir run, List<PairQueue.Job> jobs, String training) {
        var body = new StringBuilder();
        body.append("<section class=\"card\"><h2>Labels</h2><div class=\"tiles\">")
                .append(tile("pairs to compare", run.items.count(Item.PAIR)))
                .append(tile("answers to rate", run.items.count(Item.SINGLE)))
                .append(tile("labels", run.labels.count()))
                .append(tile("preference pairs", run.export.preferences().size()))
                .append(tile("ratings", run.export.ratings().size()))
                .append(tile("rounds done", run.rounds.all().stream().filter(r -> r.status().equals(Round.DONE)).count()))
                .append("</div>");
        body.append("<div class=\"two\"><div><h3>Per person</h3><table id=\"per-person\"><thead><tr><th>labeller</th><th>pairs</th><th>ratings</th><th>edits</th><th>total</th></tr></thead><tbody>");
        for (LabelStats.PersonCount p : run.stats.perPerson()) {
            body.append("<tr><td>").append(Html.text(p.user())).append("</td><td>").append(p.pairs()).append("</td><td>").append(p.singles())
                    .append("</td><td>").append(p.edits()).append("</td><td>").append(p.total()).append("</td></tr>");
        }
        body.append("</tbody></table></div><div><h3>Agreement on shared items</h3><table id=\"agreement\"><thead><tr><th>between</th><th>shared items</th><th>agree</th></tr></thead><tbody>");
        for (LabelStats.Agreement a : run.stats.agreement()) {
            String who = a.a().equals("all") ? "everyone" : Html.text(a.a()) + " &amp; " + Html.text(a.b());
            body.append("<tr><td>").append(who).append("</td><td>").append(a.sharedItems()).append("</td><td>").append(Html.percent(a.rate()))
                    .append(" <small>(").append(a.agreed()).append('/').append(a.comparisons()).append(")</small></td></tr>");
        }
        body.append("</tbody></table></div></div></section>");

        body.append("<section class=\"card\"><h2>Rounds</h2>");
        if (training != null) body.append("<p class=\"busy\">Training ").append(Html.text(training)).append(" now…</p>");
        body.append("<p>Current policy: <b>").append(Html.text(run.currentPolicy())).append("</b></p>");
        body.append("<table id=\"rounds\"><thead><tr><th>round</th><th>method</th><th>status</th><th>from</th><th>labels (train/held out)</th>"
                + "<th>held-out accuracy</th><th>loss</th><th>PPO reward</th><th>KL</th><th>pairs retired</th><th>annotator win rate vs previous</th>"
                + "<th>time</th></tr></thead><tbody>");
        for (Round r : run.rounds.all()) {
            JsonNode f = r.figures();
            body.append("<tr><td>").append(r.id()).append("</td><td>").append(Html.text(r.method())).append("</td><td>").append(Html.text(r.status()))
                    .append(r.error() == null ? "" : " <small>" + Html.text(r.error()) + "</small>").append("</td><td>").append(Html.text(r.policyBefore()))
                    .append("</td><td>").append(f.path("labels_train").asInt()).append(" / ").append(f.path("labels_held_out").asInt())
                    .append("</td><td>").append(Html.percent(f.path("reward_accuracy").asDouble(Double.NaN)))
                    .append("</td><td>").append(Html.number(loss(f)))
                    .append("</td><td>").append(Html.number(f.path("ppo_reward").asDouble(Double.NaN)))
                    .append("</td><td>").append(Html.number(f.path("ppo_kl").asDouble(f.path("kto_kl").asDouble(Double.NaN))))
                    .append("</td><td>").append(f.has("pairs_retired") ? Long.toString(f.get("pairs_retired").asLong()) : "")
                    .append("</td><td>").append(Html.percent(f.path("annotator_win_rate").asDouble(Double.NaN)))
                    .append("</td><td>").append(Html.number(f.path("seconds").asDouble(Double.NaN))).append(" s</td></tr>");
        }
        body.append("</tbody></table>");
        body.append("<div class=\"charts\">")
                .append(chart(run, "Reward model: training loss", "reward", "train/loss"))
                .append(chart(run, "PPO: reward-model score", "ppo", "objective/scores"))
                .append(chart(run, "PPO: KL to the previous policy", "ppo", "objective/kl"))
                .append(chart(run, "DPO (offline and online): loss", "dpo", "train/loss"))
                .append(chart(run, "KTO: loss", "kto", "train/loss"))
                .append("</div></section>");

        body.append("<section class=\"card\"><h2>Generation queue</h2>").append(AdminPage.jobs(jobs)).append("</section>");
        return Pages.layout(call, "Dashboard", "Dashboard", body.toString());
    }

    /** The final training loss of the round's direct objective, or of its reward model for PPO. */
    private static double loss(JsonNode f) {
        for (String key : new String[] {"dpo_loss", "kto_loss", "reward_loss"}) if (f.has(key)) return f.get(key).asDouble();
        return Double.NaN;
    }

    private static String tile(String label, long value) {
        return "<div class=\"tile\"><b>" + value + "</b><span>" + Html.text(label) + "</span></div>";
    }

    /** One curve per round, from rounds/N/STAGE/metrics.jsonl. */
    private static String chart(RunDir run, String title, String stage, String key) {
        var series = new ArrayList<Svg.Series>();
        for (Round r : run.rounds.all()) {
            Path metrics = run.roundDir(r.id()).resolve(stage).resolve(RunDirectory.METRICS);
            double[][] s = MetricsLog.series(new MetricsLog(metrics).read(), key);
            if (s[0].length > 0) series.add(new Svg.Series("round " + r.id(), s[0], s[1]));
        }
        return Svg.chart(title, "step", series);
    }
}
