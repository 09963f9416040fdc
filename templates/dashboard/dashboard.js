// Live pages: the server says when something shown may have changed; the page fetches its own
// live part again and swaps it in. Without JavaScript the pages still work, only not live.
(function () {
  var live = document.getElementById("live");
  if (!live || live.dataset.live !== "true" || !window.EventSource) return;
  var busy = false, again = false;
  // A form someone is filling in is never replaced under them: the swap waits until it is sent or emptied.
  function filling() {
    var active = document.activeElement;
    if (active && live.contains(active) && /INPUT|TEXTAREA|SELECT/.test(active.tagName)) return true;
    return Array.prototype.some.call(live.querySelectorAll("textarea, input[type=text], input:not([type])"), function (field) {
      return field.value !== "";
    });
  }
  function refresh() {
    if (busy) { again = true; return; }
    if (filling()) { setTimeout(refresh, 2000); return; }
    busy = true;
    fetch(location.href, { headers: { "X-Gaffer-Fragment": "live" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        if (filling()) { again = true; return; }
        // The note the last form left stays until the next page: the live part is drawn without it.
        var flash = document.getElementById("flash");
        live.innerHTML = html;
        if (flash && !document.getElementById("flash")) live.insertBefore(flash, live.querySelector("main"));
      })
      .finally(function () { busy = false; if (again) { again = false; setTimeout(refresh, 500); } });
  }
  var events = new EventSource("/dashboard/events");
  events.addEventListener("changed", refresh);
})();
