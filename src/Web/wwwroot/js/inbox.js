// Feedback inbox without reloading: keeps the navigation badge [data-inbox-count] current on every page and,
// on /rueckmeldungen, inserts new items into [data-inbox-list]. The page works without this file.
(() => {
  "use strict";
  const badge = document.querySelector("[data-inbox-count]");
  const list = document.querySelector("[data-inbox-list]");
  if (!badge && !list) return;

  const fmt = new Intl.DateTimeFormat("de-DE", {
    timeZone: "Europe/Berlin", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  });

  const showCount = (unread) => {
    if (badge) {
      badge.textContent = unread > 0 ? String(unread) : "";
      badge.hidden = unread <= 0;
      badge.setAttribute("aria-label", unread + " ungelesen");
    }
    const counter = document.querySelector("[data-inbox-unread]");
    if (counter) counter.textContent = String(unread);
  };

  const insert = (item) => {
    const template = document.getElementById("inbox-item-template");
    if (!template) return;
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.itemId = item.id;
    const link = li.querySelector("[data-title]");
    link.textContent = item.title;
    link.href = "/verweisungen/" + encodeURIComponent(item.referralId);
    const time = li.querySelector("[data-time]");
    time.dateTime = item.occurredAt;
    time.textContent = fmt.format(new Date(item.occurredAt)) + " Uhr";
    const about = [item.caseReference ? "Aktenzeichen " + item.caseReference : null, item.partnerName].filter(Boolean).join(" · ");
    if (about) {
      li.querySelector("[data-about-text]").textContent = about;
      li.querySelector("[data-about]").hidden = false;
    }
    li.querySelector("[data-via]").textContent = item.viaTeamOrDeputy ? " · Vertretung/Team" : "";
    li.querySelector("input[name=itemId]").value = item.id;
    if (item.read) {
      li.classList.replace("unread", "read");
      const state = li.querySelector("[data-read-state]");
      state.textContent = "gelesen";
      state.classList.remove("warn");
      li.querySelector("[data-read-form]").remove();
    }
    li.classList.add("fresh");
    return li;
  };

  // The list names case references (an audited read): fetch it only when the unread count moved, or once a minute.
  // (The page itself was rendered with the list: start from its count.)
  const rendered = document.querySelector("[data-inbox-unread]");
  let lastUnread = rendered ? Number.parseInt(rendered.textContent, 10) : null;
  let lastListAt = Date.now();
  const refreshList = async () => {
    const count = await fetch("/api/inbox/unread-count", { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!count.ok) return;
    const unread = (await count.json()).unread;
    showCount(unread);
    if (unread === lastUnread && Date.now() - lastListAt < 60000) return;
    const response = await fetch(list.dataset.inboxSource, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const page = await response.json();
    showCount(page.unread);
    lastUnread = page.unread;
    lastListAt = Date.now();
    const known = new Set(Array.from(list.querySelectorAll("[data-item-id]"), (li) => li.dataset.itemId));
    const fresh = page.items.filter((i) => !known.has(i.id));
    // items come newest first: insert from the oldest so the newest ends on top
    for (const item of fresh.reverse()) {
      const li = insert(item);
      if (li) list.prepend(li);
    }
    if (fresh.length > 0) {
      const live = document.querySelector("[data-inbox-live]");
      if (live) live.textContent = fresh.length === 1 ? "Eine neue Rückmeldung ist eingegangen." : fresh.length + " neue Rückmeldungen sind eingegangen.";
      const empty = document.querySelector("[data-inbox-empty]");
      if (empty) empty.hidden = true;
    }
  };

  const refreshCount = async () => {
    const response = await fetch("/api/inbox/unread-count", { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) showCount((await response.json()).unread);
  };

  const tick = async () => {
    try {
      if (list) await refreshList(); else await refreshCount();
    } catch {
      // offline or signed out: try again at the next tick
    }
    setTimeout(tick, document.hidden ? 15000 : list ? 2000 : 10000);
  };
  tick();
})();
