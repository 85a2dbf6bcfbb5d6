// The header's bell: turns browser notifications on or off, and shows the notices the kernel sends.
// Permission is asked only from a click on the bell (browsers refuse it otherwise) and only while
// the browser has no answer yet ("default"): a "denied" is respected and explained, never re-asked.

function permissionNow() {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

function beep() {
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = () => ctx.close();
  } catch (_err) {
    // no sound is fine: the notification itself is the message
  }
}

const BELL_SVG = '<svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true">' +
  '<path fill="currentColor" d="M8 1.5a1 1 0 0 0-1 1v.6A4.5 4.5 0 0 0 3.5 7.5v3L2 12v1h12v-1l-1.5-1.5v-3' +
  'A4.5 4.5 0 0 0 9 3.1v-.6a1 1 0 0 0-1-1zM6.5 14a1.5 1.5 0 0 0 3 0z"/></svg>';

export default {
  render({ model, el }) {
    el.classList.add("cp-notifier");
    const bell = document.createElement("button");
    bell.type = "button";
    bell.className = "cp-notifier-bell";
    const sound = document.createElement("label");
    sound.className = "cp-notifier-sound";
    const box = document.createElement("input");
    box.type = "checkbox";
    sound.append(box, document.createTextNode(" sound"));
    el.append(bell, sound);

    const paint = () => {
      const on = model.get("enabled");
      const permission = model.get("permission");
      // An SVG bell, not an emoji: a machine without an emoji font shows a box for those.
      bell.innerHTML = `${BELL_SVG}<span>${on ? "Notify: on" : "Notify: off"}</span>`;
      bell.classList.toggle("cp-notifier-on", on);
      bell.title = permission === "denied"
        ? "This browser blocks notifications for this page: allow them in the site settings, then click again"
        : permission === "unsupported"
          ? "This browser cannot show notifications"
          : on ? "Notifications are on: click to turn them off"
            : "Notify me when a long cell ends or fails, an alert fires, or staging/an upload finishes";
      box.checked = model.get("sound");
      sound.style.display = on ? "" : "none";
    };

    const report = () => {
      const now = permissionNow();
      if (model.get("permission") !== now) {
        model.set("permission", now);
        if (now !== "granted" && model.get("enabled")) model.set("enabled", false);
        model.save_changes();
      }
    };

    bell.addEventListener("click", async () => {
      if (model.get("enabled")) {
        model.set("enabled", false);
        model.save_changes();
        return;
      }
      let permission = permissionNow();
      if (permission === "default") {
        try {
          permission = await Notification.requestPermission();
        } catch (_err) {
          permission = permissionNow();
        }
      }
      model.set("permission", permission);
      model.set("enabled", permission === "granted");
      model.save_changes();
    });
    box.addEventListener("change", () => {
      model.set("sound", box.checked);
      model.save_changes();
    });

    const onMessage = (msg) => {
      if (!msg || msg.type !== "notify" || !model.get("enabled") || permissionNow() !== "granted") return;
      try {
        const note = new Notification(msg.title || "colab-panel", { body: msg.body || "", tag: msg.tag || undefined });
        note.onclick = () => { window.focus(); note.close(); };
      } catch (_err) {
        // some browsers only allow notifications from a service worker: nothing else to try here
      }
      if (model.get("sound")) beep();
    };

    model.on("msg:custom", onMessage);
    model.on("change:enabled", paint);
    model.on("change:permission", paint);
    model.on("change:sound", paint);
    report();
    paint();
    return () => {
      model.off("msg:custom", onMessage);
      model.off("change:enabled", paint);
      model.off("change:permission", paint);
      model.off("change:sound", paint);
    };
  },
};
