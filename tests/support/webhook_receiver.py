"""A webhook receiver for the tests: checks every request's signature with the Standard
Webhooks reference library (`standardwebhooks` on PyPI) and answers with the next status of
its script (the last one repeats), appending one JSON line per request to a log.

The library's `verify` also refuses a timestamp more than five minutes from the receiver's
clock; the tests run the server on a fixed clock in 2026, so a request is "verified" when
the library's own signature of (webhook-id, webhook-timestamp, body) is one of those sent,
and `verify` is used as is when the timestamp is the machine's present.

Usage: webhook_receiver.py PORT SECRET LOG STATUS[,STATUS...]
"""
import json
import sys
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks import Webhook

port, secret, log, script = int(sys.argv[1]), sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4].split(",")]
hook = Webhook(secret)
seen = {"n": 0}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            ts = int(headers["webhook-timestamp"])
            if abs(ts - time.time()) < 300:
                payload = hook.verify(body, headers)
            else:
                expected = hook.sign(headers["webhook-id"], datetime.fromtimestamp(ts, tz=timezone.utc), body.decode())
                sent = headers["webhook-signature"].split(" ")
                if expected not in sent:
                    raise ValueError("signature mismatch")
                payload = json.loads(body)
            verified, error = True, ""
        except Exception as e:  # a refused signature is what the test looks for
            payload, verified, error = None, False, str(e)
        status = script[min(seen["n"], len(script) - 1)]
        seen["n"] += 1
        with open(log, "a") as f:
            f.write(json.dumps({"verified": verified, "error": error, "id": headers.get("webhook-id"),
                                "payload": payload, "answered": status}) + "\n")
        self.send_response(status)
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"receiver says no")

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
