package dev.cria.serve;

import java.util.List;

/** The admin's page: accounts, prompts, pair generation, training a round, export and import. */
final class AdminPage {
    private AdminPage() {
    }

    static String render(Call call, RunDir run, List<PairQueue.Job> jobs) {
        var users = new StringBuilder();
        for (Accounts.Account a : run.accounts.list()) users.append(accountRow(call, a));
        var models = new StringBuilder();
        for (String m : run.modelNames()) models.append("<option>").append(Html.text(m)).append("</option>");
        String policy = run.currentPolicy();
        String body = """
                <section class="card"><h2>Generate items to label</h2>
                <p>%d prompts. <button id="add-builtin" class="secondary">Add 100 built-in story prompts</button>
                <label class="file">Upload prompts (JSONL, one {"prompt"} per line) <input type="file" id="prompt-file" accept=".jsonl,.json,.txt"></label></p>
                <div class="row"><label>Kind <select id="gen-kind"><option value="pair">pairs to compare</option><option value="single">answers to rate</option></select></label>
                <label>How many <input id="gen-count" type="number" min="1" max="%d" value="20"></label>
                <label>Model <select id="gen-model-a">%s</select></label>
                <label>Against <select id="gen-model-b"><option value="">(a second sample of the same model)</option>%s</select></label>
                <button id="generate">Generate</button></div>
                <div id="jobs">%s</div></section>
                <section class="card"><h2>Train a round</h2>
                <p>Current policy: <b>%s</b>; it writes the next answers to label. Reward model + PPO and DPO train on every preference so far
                (A/B choices and edits); KTO on every thumbs up or down from the rate page; online DPO only on the A/B choices between two
                samples of the current policy, then retires that policy's pairs and has the new one write as many.</p>
                <p id="train-data">Labels to learn from now: %d preferences (PPO, DPO), %d ratings (KTO), %d choices between %s's own answers (online DPO).</p>
                <div class="row"><label>Method <select id="train-method"><option value="ppo">reward model + PPO</option><option value="dpo">DPO</option>
                <option value="kto">KTO (ratings)</option><option value="online-dpo">online DPO (the policy's own pairs)</option></select></label>
                <button id="train">Train a round</button></div><p id="train-status" role="status"></p></section>
                <section class="card"><h2>Export and import</h2>
                <p><a class="button" href="/api/export?format=preference" id="export-preference">Preferences (TRL JSONL)</a>
                <a class="button" href="/api/export?format=sft" id="export-sft">SFT (JSONL)</a>
                <a class="button" href="/api/export?format=kto" id="export-kto">KTO ratings (JSONL)</a></p>
                <div class="row"><label>Import <select id="import-format"><option value="preference">preferences {"prompt","chosen","rejected"}</option>
                <option value="sft">SFT {"prompt","response"}</option>
                <option value="kto">KTO ratings {"prompt","completion","label"}</option></select></label><input type="file" id="import-file" accept=".jsonl,.json"></div>
                <p id="import-status" role="status"></p></section>
                <section class="card"><h2>Accounts</h2><table><thead><tr><th>name</th><th>role</th><th>status</th><th></th></tr></thead><tbody>%s</tbody></table>
                <div class="row"><label>Name <input id="new-user" maxlength="32"></label><label>Role <select id="new-role"><option>labeller</option><option>admin</option></select></label>
                <button id="add-user">Add</button></div><pre id="new-credentials" hidden></pre></section>
                """.formatted(run.prompts.count(), PairQueue.MAX_JOB, models, models, jobs(jobs), Html.text(policy), run.export.preferences().size(),
                run.export.ratings().size(), run.export.selfPreferences(policy).size(), Html.text(policy), users);
        return Pages.layout(call, "Admin", "Admin", body);
    }

    /** Deactivating keeps a person's labels; removing deletes them, so each has its own button. */
    private static String accountRow(Call call, Accounts.Account a) {
        String name = Html.text(a.user().name());
        String actions = "";
        if (!a.user().name().equals(call.user().name())) {
            actions = (a.active() ? "<button class=\"link deactivate-user\" data-name=\"" + name + "\">Deactivate</button>" : "")
                    + "<button class=\"link remove-user\" data-name=\"" + name + "\">Remove</button>";
        }
        return "<tr><td>" + name + "</td><td>" + a.user().role().dbName() + "</td><td>" + (a.active() ? "active" : "deactivated") + "</td><td>"
                + actions + "</td></tr>";
    }

    static String jobs(List<PairQueue.Job> jobs) {
        if (jobs.isEmpty()) return "<p class=\"hint\">No generation jobs yet.</p>";
        var out = new StringBuilder("<table class=\"jobs\"><thead><tr><th>job</th><th>kind</th><th>models</th><th>progress</th><th>state</th></tr></thead><tbody>");
        for (PairQueue.Job j : jobs.reversed()) {
            out.append("<tr><td>").append(j.id).append("</td><td>").append(j.kind).append("</td><td>").append(Html.text(j.modelA))
                    .append(j.modelB == null ? "" : " vs " + Html.text(j.modelB)).append("</td><td><progress max=\"").append(j.total).append("\" value=\"")
                    .append(j.done.get()).append("\"></progress> ").append(j.done.get()).append('/').append(j.total).append("</td><td>")
                    .append(Html.text(j.state)).append(j.error == null ? "" : ": " + Html.text(j.error)).append("</td></tr>");
        }
        return out.append("</tbody></table>").toString();
    }
}
