# Shared by packaging/check.sh and packaging/install-test.sh (source it): a private Xvfb
# display, and a check that a Wharf window appears on it and draws something.
# Needs Xvfb, xdotool and ImageMagick's import and convert.

# Starts Xvfb on a free display; sets XVFB_DISPLAY (":N") and XVFB_PID.
xvfb_start() {
  local n
  for n in $(seq 90 199); do
    if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then
      Xvfb ":$n" -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 &
      XVFB_PID=$!
      XVFB_DISPLAY=":$n"
      local waited
      for waited in $(seq 1 50); do
        [ -e "/tmp/.X11-unix/X$n" ] && return 0
        kill -0 "$XVFB_PID" 2>/dev/null || break
        sleep 0.2
      done
      echo "window.sh: Xvfb did not start on :$n" >&2
      return 1
    fi
  done
  echo "window.sh: no free X display between :90 and :199" >&2
  return 1
}

xvfb_stop() {
  if [ -n "${XVFB_PID:-}" ]; then
    kill "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  XVFB_PID=
}

# Waits up to 60 s for a window titled "Wharf" on XVFB_DISPLAY that has drawn its content
# (a screenshot of more than 100 colours: an empty screen has one), and saves the screenshot
# to $1. Fails, saying so, if none appears or if process $2 ends first.
window_shot() {
  local shot=$1 pid=$2 colours=0 attempt
  for attempt in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "window.sh: the program ended before its window appeared" >&2
      return 1
    fi
    if DISPLAY=$XVFB_DISPLAY xdotool search --name '^Wharf$' >/dev/null 2>&1; then
      DISPLAY=$XVFB_DISPLAY import -window root "$shot" 2>/dev/null || true
      colours=$(convert "$shot" -format %k info: 2>/dev/null || echo 0)
      if [ "$colours" -gt 100 ]; then
        echo "window.sh: the window opened and drew ($colours colours): $shot"
        return 0
      fi
    fi
    sleep 0.5
  done
  echo "window.sh: no drawn Wharf window within 60 s (last screenshot: $colours colours)" >&2
  return 1
}
