"""A real SMTP server for the tests (Debian's python3-aiosmtpd): every received mail becomes one JSON file
(envelope, subject, decoded plain-text body, raw message) in the given folder.
Usage: python3 smtp_sink.py PORT FOLDER"""
import email
import json
import os
import sys
import threading
import uuid
from email import policy

from aiosmtpd.controller import Controller


class JsonFolderHandler:
    def __init__(self, folder):
        self.folder = folder

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # A mailbox that does not exist, for the tests of permanent delivery failures.
        if address.lower().startswith("unzustellbar@"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        part = msg.get_body(preferencelist=("plain",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "body": part.get_content() if part is not None else "",
            "raw": raw.decode("utf-8", "replace"),
        }
        path = os.path.join(self.folder, f"{uuid.uuid4()}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(path + ".tmp", path)
        return "250 Message accepted for delivery"


if __name__ == "__main__":
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(JsonFolderHandler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp listening on {port}", flush=True)
    threading.Event().wait()
