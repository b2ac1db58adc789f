// Cria's pages: labelling (compare and rate), the playground, and the admin actions.
// Model text is only ever set with textContent, never as HTML.
"use strict";

const csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";

async function api(method, path, body, raw) {
  const headers = { "X-CSRF-Token": csrf };
  if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function submissionId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const logout = document.getElementById("logout");
if (logout) logout.addEventListener("click", async () => {
  await api("POST", "/api/logout").catch(() => {});
  location.href = "/login";
});

// ---- labelling: the next item shows at once; saving happens behind it, retried until acknowledged ----
const labeller = document.getElementById("labeller");
if (labeller) {
  const kind = labeller.dataset.kind;
  const PENDING = "cria-pending-labels";
  const status = document.getElementById("status");
  const remainingEl = document.getElementById("remaining");
  let current = labeller.dataset.item ? {
    id: Number(labeller.dataset.item),
    prompt: document.getElementById("prompt").textContent,
    answer_a: document.getElementById("answer-a").textContent,
    answer_b: kind === "pair" ? document.getElementById("answer-b").textContent : undefined,
  } : null;
  let prefetched = null;
  let saved = 0;
  // unsaved submissions survive a reload in localStorage, and are retried with the same submission id
  let pending = JSON.parse(localStorage.getItem(PENDING) || "[]");

  const persist = () => localStorage.setItem(PENDING, JSON.stringify(pending));
  const setStatus = (text, cls) => { status.textContent = text; status.className = cls || ""; };

  function show(item) {
    current = item;
    document.getElementById("task").hidden = !item;
    document.getElementById("empty").hidden = !!item;
    if (!item) return;
    document.getElementById("prompt").textContent = item.prompt;
    document.getElementById("answer-a").textContent = item.answer_a;
    if (kind === "pair") document.getElementById("answer-b").textContent = item.answer_b;
    document.getElementById("comment").value = "";
    const edited = document.getElementById("edited");
    if (edited) {
      edited.value = item.answer_a;
      document.getElementById("edit-box").open = false;
    }
    labeller.dataset.item = item.id;
  }

  async function fetchNext() {
    const exclude = [current && current.id].concat(pending.map((p) => p.item_id)).filter(Boolean);
    const data = await api("GET", "/api/next?kind=" + kind + "&exclude=" + exclude.join(","));
    remainingEl.textContent = data.remaining + " left";
    return data.item;
  }

  async function prefetch() {
    try { prefetched = await fetchNext(); } catch (e) { prefetched = null; }
  }

  async function flush() {
    while (pending.length) {
      const sub = pending[0];
      try {
        await api("POST", "/api/labels", sub);
        saved++;
        setStatus("Saved ✓ " + saved + " this session", "ok");
      } catch (e) {
        if (e.status && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
          // a refusal (such as an item that others filled meanwhile): retrying would not help, and it is not counted as saved
          setStatus("Not saved: " + e.message, "error");
        } else {
          setStatus("Saving… (retrying)", "busy");
          setTimeout(flush, 1500);
          return;
        }
      }
      pending.shift();
      persist();
    }
  }

  async function choose(choice) {
    if (!current) return;
    const sub = { submission_id: submissionId(), item_id: current.id, choice };
    const comment = document.getElementById("comment").value.trim();
    if (comment) sub.comment = comment;
    const edited = document.getElementById("edited");
    if (edited && edited.value.trim() && edited.value !== current.answer_a) sub.edited = edited.value;
    pending.push(sub);
    persist();
    setStatus("Saving…", "busy");
    const next = prefetched && prefetched.id !== current.id ? prefetched : null;
    prefetched = null;
    if (next) show(next);
    else show(await fetchNext().catch(() => null));
    flush();
    prefetch();
  }

  labeller.querySelectorAll("button[data-choice]").forEach((b) => b.addEventListener("click", () => choose(b.dataset.choice)));
  document.addEventListener("keydown", (e) => {
    const typing = e.target.tagName === "TEXTAREA" || e.target.tagName === "INPUT";
    if (typing) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const keys = kind === "pair"
      ? { "1": "a", a: "a", "2": "b", b: "b", "3": "tie", t: "tie", "4": "bad", x: "bad" }
      : { "+": "up", u: "up", "-": "down", d: "down" };
    const choice = keys[e.key.toLowerCase()];
    if (choice) { e.preventDefault(); choose(choice); }
    if (kind === "single" && e.key.toLowerCase() === "e") {
      e.preventDefault();
      document.getElementById("edit-box").open = true;
      document.getElementById("edited").focus();
    }
  });
  if (current) show(current);
  flush();
  prefetch();
}

// ---- playground: streamed chat, optionally two models side by side ----
const playground = document.getElementById("playground");
if (playground) {
  const history = [];
  const chatA = document.getElementById("chat-a"), chatB = document.getElementById("chat-b");

  function bubble(container, role, text) {
    const div = document.createElement("div");
    div.className = "msg " + role;
    div.textContent = text;
    container.appendChild(div);
    return div;
  }

  async function stream(model, messages, target) {
    const response = await fetch("/v1/chat/completions", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        model, messages, stream: true,
        temperature: Number(document.getElementById("temperature").value),
        max_tokens: Number(document.getElementById("max-tokens").value),
      }),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      target.textContent = "Error: " + ((data.error && data.error.message) || response.statusText);
      target.classList.add("error");
      return "";
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (!event.startsWith("data: ")) continue;
        const data = event.slice(6);
        if (data === "[DONE]") continue;
        const delta = JSON.parse(data).choices[0].delta;
        if (delta && delta.content) {
          text += delta.content;
          target.textContent = text;
        }
      }
    }
    if (!text) target.textContent = "(empty answer)";
    target.classList.add("done");
    return text;
  }

  async function send() {
    const box = document.getElementById("message");
    const message = box.value.trim();
    if (!message) return;
    box.value = "";
    const modelA = document.getElementById("model-a").value, modelB = document.getElementById("model-b").value;
    chatB.hidden = !modelB;
    history.push({ role: "user", content: message });
    bubble(chatA, "user", message);
    const answerA = await stream(modelA, history.slice(), bubble(chatA, "assistant", "…"));
    if (modelB) {
      bubble(chatB, "user", message);
      await stream(modelB, [{ role: "user", content: message }], bubble(chatB, "assistant", "…"));
    }
    history.push({ role: "assistant", content: answerA });
  }

  document.getElementById("send").addEventListener("click", send);
  document.getElementById("message").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
  });
  document.getElementById("clear").addEventListener("click", () => {
    history.length = 0;
    chatA.textContent = "";
    chatB.textContent = "";
  });
}

// ---- admin actions ----
function on(id, event, handler) {
  const el = document.getElementById(id);
  if (el) el.addEventListener(event, handler);
}

function report(id, text, error) {
  const el = document.getElementById(id);
  el.textContent = text;
  el.className = error ? "error" : "ok";
}

async function readFile(input) {
  const file = input.files[0];
  return file ? await file.text() : null;
}

on("add-builtin", "click", async () => {
  await api("POST", "/api/prompts/builtin", { count: 100 }).catch((e) => alert(e.message));
  location.reload();
});
on("prompt-file", "change", async (e) => {
  const text = await readFile(e.target);
  if (text === null) return;
  await api("POST", "/api/prompts", text, true).then(() => location.reload()).catch((err) => alert(err.message));
});
on("generate", "click", async () => {
  const body = {
    kind: document.getElementById("gen-kind").value,
    count: Number(document.getElementById("gen-count").value),
    model_a: document.getElementById("gen-model-a").value,
  };
  const b = document.getElementById("gen-model-b").value;
  if (b) body.model_b = b;
  await api("POST", "/api/generate", body).catch((e) => alert(e.message));
  pollJobs();
});
on("train", "click", async () => {
  try {
    const r = await api("POST", "/api/train", { method: document.getElementById("train-method").value });
    report("train-status", "Training started: " + r.method + " on " + r.examples + " labels; the dashboard shows the round when it ends.");
  } catch (e) {
    report("train-status", e.message, true);
  }
});
on("import-file", "change", async (e) => {
  const text = await readFile(e.target);
  if (text === null) return;
  const format = document.getElementById("import-format").value;
  try {
    const r = await api("POST", "/api/import?format=" + format, text, true);
    report("import-status", "Imported " + r.added + " of " + r.lines + " lines (" + r.duplicates + " already there).");
  } catch (err) {
    report("import-status", err.message, true);
  }
});
on("add-user", "click", async () => {
  try {
    const r = await api("POST", "/api/users", { name: document.getElementById("new-user").value, role: document.getElementById("new-role").value });
    const out = document.getElementById("new-credentials");
    out.hidden = false;
    out.textContent = "name: " + r.name + "\npassword: " + r.password + "\nAPI key: " + r.api_key + "\n(shown once)";
  } catch (e) {
    alert(e.message);
  }
});

document.querySelectorAll("button.deactivate-user").forEach((b) => b.addEventListener("click", async () => {
  if (!confirm("Deactivate " + b.dataset.name + "? They can no longer sign in or use their API key; their labels stay.")) return;
  await api("POST", "/api/users/deactivate", { name: b.dataset.name }).then(() => location.reload()).catch((e) => alert(e.message));
}));
document.querySelectorAll("button.remove-user").forEach((b) => b.addEventListener("click", async () => {
  if (!confirm("Remove " + b.dataset.name + " and delete all their labels? Deactivate keeps the labels.")) return;
  await api("POST", "/api/users/delete", { name: b.dataset.name }).then(() => location.reload()).catch((e) => alert(e.message));
}));

async function pollJobs() {
  const jobs = document.getElementById("jobs");
  if (!jobs) return;
  const data = await api("GET", "/api/queue").catch(() => null);
  if (!data) return;
  const table = document.createElement("table");
  for (const j of data.jobs.slice().reverse()) {
    const row = table.insertRow();
    row.insertCell().textContent = "job " + j.id;
    row.insertCell().textContent = j.kind + " from " + j.model_a + (j.model_b ? " vs " + j.model_b : "");
    const progress = document.createElement("progress");
    progress.max = j.total;
    progress.value = j.done;
    const cell = row.insertCell();
    cell.appendChild(progress);
    cell.appendChild(document.createTextNode(" " + j.done + "/" + j.total));
    row.insertCell().textContent = j.state + (j.error ? ": " + j.error : "");
  }
  jobs.replaceChildren(table);
  if (data.jobs.some((j) => j.state === "queued" || j.state === "running")) setTimeout(pollJobs, 1000);
}
pollJobs();
