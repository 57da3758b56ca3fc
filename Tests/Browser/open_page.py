"""Opens an HTML page in headless Chromium through its DevTools pipe (--remote-debugging-pipe:
commands on fd 3, replies on fd 4, NUL-separated JSON; no websocket library needed), waits for
the load event, and captures the whole page as a PNG.

    python3 open_page.py PAGE SCREENSHOT WIDTH SCALE

prints JSON: errors (console errors and warnings, uncaught exceptions, failed loads), the page's
height in CSS pixels, and the screenshot's width, height and pixel variance (read back with png.py).
"""
import base64, json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png  # noqa: E402

page, shot, width, scale = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
browser = shutil.which("chromium") or shutil.which("chromium-browser") or sys.exit("chromium is missing: run scripts/setup_browser.sh")
commands_read, commands_write = os.pipe()
replies_read, replies_write = os.pipe()
profile = tempfile.mkdtemp()


def pipes():  # in the child: fd 3 reads our commands, fd 4 writes its replies
    os.dup2(commands_read, 3)
    os.dup2(replies_write, 4)


proc = subprocess.Popen(
    [browser, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
     "--user-data-dir=" + profile, "about:blank"],
    pass_fds=(3, 4), preexec_fn=pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(commands_read)
os.close(replies_write)
out, inp = os.fdopen(commands_write, "wb"), os.fdopen(replies_read, "rb")
buffer, next_id, events = b"", 0, []


def receive():
    global buffer
    while b"\0" not in buffer:
        chunk = inp.read1(1 << 16)
        if not chunk:
            sys.exit("chromium closed its DevTools pipe")
        buffer += chunk
    message, buffer = buffer.split(b"\0", 1)
    return json.loads(message)


def send(method, session=None, **params):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params}
    if session:
        message["sessionId"] = session
    out.write(json.dumps(message).encode() + b"\0")
    out.flush()
    while True:
        reply = receive()
        if reply.get("id") == next_id:
            if "error" in reply:
                sys.exit(f"{method}: {reply['error']}")
            return reply["result"]
        events.append(reply)


try:
    target = send("Target.createTarget", url="about:blank")["targetId"]
    session = send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        send(domain + ".enable", session)
    send("Emulation.setDeviceMetricsOverride", session, width=width, height=800, deviceScaleFactor=1, mobile=False)
    send("Page.navigate", session, url="file://" + os.path.abspath(page))
    while not any(e.get("method") == "Page.loadEventFired" for e in events):
        events.append(receive())
    height = send("Runtime.evaluate", session, expression="document.documentElement.scrollHeight", returnByValue=True)["result"]["value"]
    data = send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": height, "scale": scale})["data"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(data))
    errors = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            errors.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            errors.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif method == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            errors.append("log: " + p["entry"]["text"])
    send("Browser.close")
finally:
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(profile, ignore_errors=True)

image = png.read(open(shot, "rb").read())
pixels, channels = image["pixels"], image["channels"]
values = [sum(pixels[i:i + 3]) / 3 for i in range(0, len(pixels), channels)]
mean = sum(values) / len(values)
print(json.dumps({"errors": errors, "height": height, "screenshot": {
    "width": image["width"], "height": image["height"],
    "variance": sum((v - mean) ** 2 for v in values) / len(values)}}))
