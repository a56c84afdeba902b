# Shared by packaging/check.sh and packaging/install-test.sh (source it): a private Xvfb
# display, a check that a Wharf window appears on it and draws something, and a bounded way
# to stop a process. Every wait here has a limit. Needs Xvfb, xdotool and ImageMagick.

# stop_process PID: asks it to end, and after 5 s makes it.
stop_process() {
  local pid=$1 tick
  kill "$pid" 2>/dev/null || return 0
  for tick in $(seq 1 25); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Starts Xvfb on a free display; sets XVFB_DISPLAY (":N") and XVFB_PID.
xvfb_start() {
  local n tick
  for n in $(seq 90 199); do
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
    Xvfb ":$n" -screen 0 1280x820x24 -nolisten tcp -noreset >/dev/null 2>&1 &
    XVFB_PID=$!
    XVFB_DISPLAY=":$n"
    # Ready when it answers, not when its socket file exists: on a loaded machine a
    # client that came between the two was refused ("Failed to open connection to X
    # server").
    for tick in $(seq 1 50); do
      [ -e "/tmp/.X11-unix/X$n" ] && DISPLAY=":$n" timeout 5 xdotool getdisplaygeometry >/dev/null 2>&1 \
        && return 0
      kill -0 "$XVFB_PID" 2>/dev/null || break
      sleep 0.2
    done
    # Taken after all (another server's abstract socket) or slow: try the next one.
    stop_process "$XVFB_PID"
  done
  XVFB_PID=
  echo "window.sh: Xvfb started on no display between :90 and :199" >&2
  return 1
}

xvfb_stop() {
  [ -z "${XVFB_PID:-}" ] || stop_process "$XVFB_PID"
  XVFB_PID=
}

# window_shot SHOT PID: waits up to 60 s (120 tries, each bounded) for a window titled
# "Wharf" on XVFB_DISPLAY that has drawn its content (a screenshot of more than 100
# colours: an empty screen has one), and saves the screenshot to SHOT. Fails, saying so, if
# none appears or if process PID ends first.
window_shot() {
  local shot=$1 pid=$2 colours=0 attempt
  for attempt in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "window.sh: the program ended before its window appeared" >&2
      return 1
    fi
    if DISPLAY=$XVFB_DISPLAY timeout 5 xdotool search --name '^Wharf$' >/dev/null 2>&1; then
      DISPLAY=$XVFB_DISPLAY timeout 10 import -window root "$shot" 2>/dev/null || true
      colours=$(timeout 10 convert "$shot" -format %k info: 2>/dev/null || echo 0)
      if [ "$colours" -gt 100 ]; then
        echo "window.sh: the window opened and drew ($colours colours): $shot"
        return 0
      fi
    fi
    sleep 0.5
  done
  echo "window.sh: no drawn Wharf window after 120 tries (last screenshot: $colours colours)" >&2
  return 1
}
