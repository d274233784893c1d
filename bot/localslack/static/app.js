// The local workspace's page: draws what the server says a person sees, and sends what they
// do. Blocks arrive drawn as HTML; their data-* attributes say what a click or a form sends.
"use strict";

const $ = (id) => document.getElementById(id);
const view = {
  me: localStorage.getItem("me") || "",
  conv: localStorage.getItem("conv") || "C0GENERAL",
  version: -1,
  screen: null,
  modalKey: "",
  busy: 0,
};

async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  return response.json();
}

function toast(text) {
  if (!text) return;
  const box = $("toast");
  box.textContent = text;
  box.classList.remove("hidden");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.add("hidden"), 6000);
}

async function act(request) {
  view.busy += 1;
  document.body.classList.add("busy");
  try {
    const answer = await call("/demo/api/do", {as: view.me, ...request});
    toast(answer.said);
  } finally {
    view.busy -= 1;
    if (!view.busy) document.body.classList.remove("busy");
  }
  await load();
}

// -- drawing -----------------------------------------------------------------------------------

function esc(text) {
  const span = document.createElement("span");
  span.textContent = text == null ? "" : String(text);
  return span.innerHTML;
}

function drawPeople(screen) {
  const who = $("who");
  const options = screen.people.map((p) =>
    `<option value="${esc(p.id)}"${p.id === screen.me ? " selected" : ""}>` +
    `${esc(p.name)} — ${esc(p.title)}${p.coordinator ? " (coordinator)" : ""}</option>`);
  const html = options.join("");
  if (who.dataset.html !== html) {
    who.innerHTML = html;
    who.dataset.html = html;
  }
  who.value = screen.me;
}

function drawSkips(screen) {
  const box = $("skip");
  if (box.dataset.ready) return;
  for (const s of screen.skips) {
    const button = document.createElement("button");
    button.className = "btn btn-small";
    button.textContent = s.label;
    button.dataset.skip = s.key;
    button.addEventListener("click", () => act({op: "skip", what: s.key}));
    box.appendChild(button);
  }
  box.dataset.ready = "1";
}

function drawSidebar(screen) {
  const side = screen.sidebar;
  const item = (id, label, extra = "") =>
    `<a href="#" class="conv${id === view.conv ? " active" : ""}" data-conv="${esc(id)}"${extra}>${label}</a>`;
  let html = `<div class="section">Reverse Mentoring</div>`;
  html += item("home", "Home");
  html += item(side.app_dm, "Messages");
  html += `<div class="section">Channels</div>`;
  html += side.channels.map((c) => item(c.id, esc(c.name))).join("");
  if (side.groups.length) {
    html += `<div class="section">Group DMs</div>`;
    html += side.groups.map((g) => item(g.id, esc(g.name))).join("");
  }
  $("sidebar").innerHTML = html;
}

function drawMessages(screen) {
  const conversation = screen.conversation;
  $("title").textContent = conversation.title || "";
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  if (view.conv === "home") {
    box.innerHTML = conversation.home
      ? `<div class="home" data-where="home">${conversation.home}</div>`
      : `<div class="empty">Opening the app's Home…</div>`;
    $("composer").classList.add("hidden");
    return;
  }
  $("composer").classList.remove("hidden");
  $("compose").placeholder = view.conv.startsWith("D")
    ? "Message Reverse Mentoring — try /mentoring help"
    : `Message ${conversation.title} — try /mentoring help`;
  const messages = conversation.messages.map((m) => {
    const files = m.files.map((f) => f.image
      ? `<figure class="file"><img src="${esc(f.url)}" alt="${esc(f.title)}"><figcaption>${esc(f.title)}</figcaption></figure>`
      : `<a class="file download" href="${esc(f.url)}" download="${esc(f.name)}">⬇ ${esc(f.title)}</a>`).join("");
    return `<article class="message${m.ephemeral ? " ephemeral" : ""}" data-where="message" ` +
      `data-channel="${esc(conversation.id)}" data-ts="${esc(m.ts)}">` +
      `<div class="avatar${m.app ? " app" : ""}">${esc(m.author[0] || "?")}</div>` +
      `<div class="content"><div class="meta"><b>${esc(m.author)}</b>${m.app ? ' <span class="tag">APP</span>' : ""} ` +
      `<span class="time">${esc(m.time)}</span>${m.edited ? ' <span class="time">(edited)</span>' : ""}` +
      `${m.ephemeral ? ' <span class="tag">Only visible to you</span>' : ""}</div>` +
      `${m.html}${files}</div></article>`;
  });
  box.innerHTML = messages.join("") || `<div class="empty">No messages here yet.</div>`;
  if (atBottom || view.justSwitched) box.scrollTop = box.scrollHeight;
  view.justSwitched = false;
}

function drawModal(screen) {
  const modal = screen.modal;
  const overlay = $("modal-overlay");
  if (!modal) {
    overlay.classList.add("hidden");
    view.modalKey = "";
    return;
  }
  const key = modal.id + "|" + modal.html;
  if (key === view.modalKey && !overlay.classList.contains("hidden")) return;  // keep what is typed
  // Redrawn in place (an update, or errors to show): as in Slack, what the person entered stays
  // in every input whose block and action ids are unchanged.
  const same = $("modal").dataset.viewId === modal.id && !overlay.classList.contains("hidden");
  const entered = same ? formState($("modal-body")) : null;
  view.modalKey = key;
  $("modal-title").innerHTML = modal.title;
  $("modal-body").innerHTML = modal.html;
  if (entered) restoreState($("modal-body"), entered);
  $("modal-body").dataset.viewId = modal.id;
  $("modal").dataset.viewId = modal.id;
  $("modal-close").innerHTML = modal.close;
  const submit = $("modal-submit");
  if (modal.submit) {
    submit.innerHTML = modal.submit;
    submit.classList.remove("hidden");
  } else {
    submit.classList.add("hidden");
  }
  overlay.classList.remove("hidden");
  const first = $("modal-body").querySelector(".has-error input, .has-error textarea, .has-error select");
  if (first) first.focus();
}

function draw(screen) {
  view.screen = screen;
  view.me = screen.me;
  localStorage.setItem("me", view.me);
  $("clock").textContent = screen.clock;
  drawPeople(screen);
  drawSkips(screen);
  drawSidebar(screen);
  drawMessages(screen);
  drawModal(screen);
}

let loads = 0;

async function load() {
  const mine = ++loads;
  const screen = await call(`/demo/api/screen?as=${encodeURIComponent(view.me)}&conv=${encodeURIComponent(view.conv)}`);
  // Answers can overtake each other: one asked for before a change of person or conversation
  // would draw the old screen over the new one, and nothing would redraw it.
  if (mine !== loads) return;
  view.version = screen.version;
  draw(screen);
}

async function watch() {
  for (;;) {
    try {
      const {version} = await call(`/demo/api/wait?since=${view.version}`);
      if (version === view.version) continue;
      // While an action is on its way, its own load follows it; asking again at once would spin.
      if (view.busy) await new Promise((resolve) => setTimeout(resolve, 100));
      else await load();
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

// -- what a form holds, as Slack's view.state.values ---------------------------------------------

function optionOf(select) {
  const chosen = select.selectedOptions[0];
  if (!chosen || !chosen.value) return null;
  return {text: {type: "plain_text", text: chosen.textContent, emoji: true}, value: chosen.value};
}

function elementState(el) {
  const type = el.dataset.type;
  const state = {type};
  if (type === "plain_text_input" || type === "number_input") {
    state.value = el.value === "" ? null : el.value;
  } else if (type === "static_select") {
    state.selected_option = optionOf(el);
  } else if (type === "multi_static_select") {
    state.selected_options = [...el.selectedOptions].map((o) =>
      ({text: {type: "plain_text", text: o.textContent, emoji: true}, value: o.value}));
  } else if (type === "radio_buttons") {
    const on = el.querySelector("input:checked");
    state.selected_option = on ? {text: {type: "plain_text", text: on.dataset.text, emoji: true}, value: on.value} : null;
  } else if (type === "checkboxes") {
    state.selected_options = [...el.querySelectorAll("input:checked")].map((on) =>
      ({text: {type: "plain_text", text: on.dataset.text, emoji: true}, value: on.value}));
  } else if (type === "datepicker") {
    state.selected_date = el.value || null;
  } else if (type === "timepicker") {
    state.selected_time = el.value || null;
  } else if (type === "multi_users_select") {
    state.selected_users = [...el.selectedOptions].map((o) => o.value);
  } else if (type === "users_select") {
    state.selected_user = el.value || null;
  } else if (type === "conversations_select") {
    state.selected_conversation = el.value || null;
  } else if (type === "channels_select") {
    state.selected_channel = el.value || null;
  }
  return state;
}

function restoreState(root, values) {
  for (const block of root.querySelectorAll("[data-input]")) {
    const el = block.querySelector("[data-action-id]");
    const saved = el && (values[block.dataset.blockId] || {})[el.dataset.actionId];
    if (!saved || saved.type !== el.dataset.type) continue;
    const chosen = new Set();
    if (saved.selected_option) chosen.add(saved.selected_option.value);
    for (const o of saved.selected_options || []) chosen.add(o.value);
    for (const u of saved.selected_users || []) chosen.add(u);
    for (const key of ["selected_user", "selected_conversation", "selected_channel"]) {
      if (saved[key]) chosen.add(saved[key]);
    }
    if ("value" in saved) el.value = saved.value == null ? "" : saved.value;
    else if ("selected_date" in saved) el.value = saved.selected_date || "";
    else if ("selected_time" in saved) el.value = saved.selected_time || "";
    else if (el.tagName === "SELECT") {
      for (const option of el.options) option.selected = chosen.has(option.value);
      if (!el.multiple && !chosen.size) el.value = "";
    } else {
      for (const input of el.querySelectorAll("input")) input.checked = chosen.has(input.value);
    }
  }
}

function formState(root) {
  const values = {};
  for (const block of root.querySelectorAll("[data-input]")) {
    const el = block.querySelector("[data-action-id]");
    if (!el) continue;
    values[block.dataset.blockId] = {[el.dataset.actionId]: elementState(el)};
  }
  return values;
}

// -- what a click sends -------------------------------------------------------------------------

function where(el) {
  const place = el.closest("[data-where]");
  if (place) {
    return place.dataset.where === "message"
      ? {where: "message", channel: place.dataset.channel, ts: place.dataset.ts}
      : {where: "home"};
  }
  return {where: "modal", view_id: $("modal").dataset.viewId, state: formState($("modal-body"))};
}

function confirmFirst(el) {
  const raw = el.dataset.confirm;
  if (!raw) return Promise.resolve(true);
  const confirm = JSON.parse(raw);
  const text = (t) => (t && (t.text || t)) || "";
  $("confirm-title").textContent = text(confirm.title) || "Are you sure?";
  $("confirm-text").textContent = text(confirm.text);
  $("confirm-ok").textContent = text(confirm.confirm) || "Yes";
  $("confirm-deny").textContent = text(confirm.deny) || "Cancel";
  $("confirm-ok").className = "btn " + (confirm.style === "danger" ? "btn-danger" : "btn-primary");
  $("confirm-overlay").classList.remove("hidden");
  return new Promise((resolve) => {
    const done = (answer) => {
      $("confirm-overlay").classList.add("hidden");
      $("confirm-ok").onclick = $("confirm-deny").onclick = null;
      resolve(answer);
    };
    $("confirm-ok").onclick = () => done(true);
    $("confirm-deny").onclick = () => done(false);
  });
}

async function clicked(el) {
  if (!(await confirmFirst(el))) return;
  const action = {action_id: el.dataset.actionId, block_id: el.dataset.blockId, type: el.dataset.type};
  if (el.dataset.type === "button") {
    action.text = {type: "plain_text", text: el.textContent, emoji: true};
    if (el.dataset.value !== undefined) action.value = el.dataset.value;
  } else if (el.dataset.type === "overflow") {
    action.selected_option = {text: {type: "plain_text", text: el.dataset.text, emoji: true}, value: el.dataset.value};
    el.closest("details").open = false;
  }
  await act({op: "action", action, ...where(el)});
}

async function changed(el) {
  const action = {action_id: el.dataset.actionId, block_id: el.dataset.blockId, ...elementState(el)};
  await act({op: "action", action, ...where(el)});
}

document.addEventListener("click", (event) => {
  const conv = event.target.closest("[data-conv]");
  if (conv) {
    event.preventDefault();
    view.conv = conv.dataset.conv;
    view.justSwitched = true;
    localStorage.setItem("conv", view.conv);
    if (view.conv === "home") act({op: "home"});
    else load();
    return;
  }
  const el = event.target.closest("button[data-action-id]");
  if (el) {
    event.preventDefault();
    clicked(el);
  }
});

document.addEventListener("change", (event) => {
  const el = event.target.closest("[data-action-id]");
  if (!el) return;
  const inInput = el.closest("[data-input]");
  // In a form, only an element that dispatches its changes tells the app at once.
  if (inInput && !el.dataset.dispatch) return;
  changed(el);
});

$("who").addEventListener("change", () => {
  view.me = $("who").value;
  localStorage.setItem("me", view.me);
  view.modalKey = "";
  if (view.conv === "home") act({op: "home"});
  else load();
});

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("compose").value;
  if (!text.trim()) return;
  $("compose").value = "";
  act({op: "type", channel: view.conv, text});
});

$("modal-submit").addEventListener("click", () =>
  act({op: "submit", view_id: $("modal").dataset.viewId, state: formState($("modal-body"))}));
const closeModal = () => act({op: "close", view_id: $("modal").dataset.viewId});
$("modal-close").addEventListener("click", closeModal);
$("modal-x").addEventListener("click", closeModal);

load().then(() => {
  if (view.conv === "home") act({op: "home"});
  watch();
});
