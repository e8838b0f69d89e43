// Keeps an attendance import's progress bar up to date while the server works on the file.
//
// The page works without this script: its "Check progress" button reloads it. With it, the
// bar and the words under it follow the job's progress (polled once a second, one request at
// a time), and a polite live region says how far it has got at each quarter, or every 15
// seconds, never at every poll. When the work ends the page is loaded again to show the result.

const POLL_EVERY = 1000;
const ANNOUNCE_EVERY = 15000;

const box = document.querySelector('[data-module="attendance-progress"]');

if (box) {
  const url = box.dataset.progressUrl;
  const bar = box.querySelector("progress");
  const words = document.getElementById("progress-words");
  const announce = document.getElementById("progress-announce");
  const quarterOf = (percent) => (percent === null ? -1 : Math.floor(percent / 25));
  let lastQuarter = quarterOf(bar.hasAttribute("value") ? Number(bar.value) : null);
  let lastAnnounced = Date.now();

  const show = (data) => {
    if (data.percent === null) {
      bar.removeAttribute("value");
      bar.textContent = "";
    } else {
      bar.value = data.percent;
      bar.textContent = `${data.percent}%`;
    }
    words.textContent = data.words;
    const quarter = quarterOf(data.percent);
    if (quarter > lastQuarter || Date.now() - lastAnnounced >= ANNOUNCE_EVERY) {
      announce.textContent = data.percent === null ? data.words : `${data.words}: ${data.percent}%`;
      lastQuarter = Math.max(lastQuarter, quarter);
      lastAnnounced = Date.now();
    }
  };

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.redirected || !response.ok) {
        // Signed out, or the job is gone: the page itself says what happened.
        window.location.reload();
        return;
      }
      const data = await response.json();
      if (!data.running) {
        window.location.reload();
        return;
      }
      show(data);
    } catch {
      // The server did not answer (busy storing rows, or restarting): ask again shortly.
    }
    window.setTimeout(poll, POLL_EVERY);
  };

  window.setTimeout(poll, POLL_EVERY);
}
