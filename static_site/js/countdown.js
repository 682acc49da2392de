/** "4:05" for 245 seconds. */
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.ceil(totalSeconds));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * Count down to `deadline` (ms since the epoch), calling onTick(secondsLeft) each time the
 * whole number of seconds changes and onDone() once at zero. Returns {stop, setDeadline}.
 */
export function startCountdown(deadline, { onTick, onDone }) {
  let end = deadline;
  let shown = null;
  let timer = null;

  function tick() {
    const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    if (left !== shown) {
      shown = left;
      onTick?.(left);
    }
    if (left === 0) {
      stop();
      onDone?.();
    }
  }

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  timer = setInterval(tick, 250);
  tick();
  return {
    stop,
    setDeadline(next) {
      end = next;
      if (timer !== null) tick();
    },
  };
}
