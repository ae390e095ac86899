"""Make the labelled corpus of the recognition test (`corpus.jsonl`): the opening bytes of real
clients' flows to real-world server names, each labelled with the application the name belongs
to in the world (not derived from the catalogue's patterns).

Every name goes through curl over TLS, openssl s_client (TLS 1.3), aioquic (QUIC v1) and curl
over plain HTTP, each against a listener on 127.0.0.1 (`--resolve`); then ssh, dig and sipsak
flows. And for every name, the answer a real dnsmasq gives dig (transport `dns-answer`, with the
address it answered): a flow to that address must be recognised from its first packet. One JSON object a line: label, client, transport, the port the flow would have gone to,
the name, and the bytes in hex. Needs what capture.py needs:

    /tmp/pa-venv/bin/python agent/src/apps/testdata/corpus.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from capture import dig_answer, quic, start_dnsmasq, tcp, udp  # noqa: E402

OUT = Path(__file__).resolve().parent / "corpus.jsonl"

NAMES: dict[str, list[str]] = {
    "microsoft-365": ["outlook.office365.com", "outlook.office.com", "www.office.com",
                      "login.microsoftonline.com", "contoso.sharepoint.com", "contoso-my.sharepoint.com",
                      "res.cdn.office.net"],
    "teams": ["teams.microsoft.com", "teams.live.com", "presence.teams.microsoft.com",
              "config.teams.microsoft.com", "statics.teams.cdn.office.net"],
    "onedrive": ["onedrive.live.com", "api.onedrive.com", "1drv.ms"],
    "windows-update": ["download.windowsupdate.com", "fe2.update.microsoft.com", "sls.update.microsoft.com",
                       "tlu.dl.delivery.mp.microsoft.com"],
    "azure": ["portal.azure.com", "management.azure.com", "myaccount.blob.core.windows.net",
              "myapp.azurewebsites.net", "myvault.vault.azure.net"],
    "zoom": ["zoom.us", "us04web.zoom.us", "us05web.zoom.us", "api.zoom.us", "zoom.com"],
    "webex": ["www.webex.com", "acme.webex.com", "idbroker.webex.com", "wdm-a.wbx2.com"],
    "goto-meeting": ["global.gotomeeting.com", "www.goto.com"],
    "google-meet": ["meet.google.com"],
    "google-workspace": ["docs.google.com", "drive.google.com", "calendar.google.com", "sheets.google.com"],
    "gmail": ["mail.google.com", "gmail.com"],
    "google": ["www.google.com", "fonts.googleapis.com", "www.gstatic.com", "accounts.google.com"],
    "google-cloud": ["console.cloud.google.com", "storage.googleapis.com", "myproject.appspot.com"],
    "youtube": ["www.youtube.com", "m.youtube.com", "i.ytimg.com", "rr3---sn-4g5e6nz7.googlevideo.com",
                "youtu.be", "youtubei.googleapis.com"],
    "netflix": ["www.netflix.com", "assets.nflxext.com", "occ-0-1234-1235.1.nflxso.net",
                "ipv4-c001-ams001-ix.1.oca.nflxvideo.net"],
    "twitch": ["www.twitch.tv", "usher.ttvnw.net", "static-cdn.jtvnw.net"],
    "vimeo": ["vimeo.com", "player.vimeo.com", "i.vimeocdn.com"],
    "disney-plus": ["www.disneyplus.com", "disney.api.edge.bamgrid.com"],
    "prime-video": ["www.primevideo.com"],
    "spotify": ["open.spotify.com", "api.spotify.com", "i.scdn.co"],
    "salesforce": ["login.salesforce.com", "acme.my.salesforce.com", "acme.lightning.force.com"],
    "servicenow": ["acme.service-now.com", "www.servicenow.com"],
    "workday": ["wd5.myworkday.com", "www.workday.com"],
    "zendesk": ["acme.zendesk.com", "static.zdassets.com"],
    "hubspot": ["app.hubspot.com", "api.hubapi.com"],
    "docusign": ["www.docusign.com", "account.docusign.com", "na3.docusign.net"],
    "slack": ["slack.com", "app.slack.com", "acme.slack.com", "a.slack-edge.com", "wss-primary.slack.com"],
    "notion": ["www.notion.so", "notion.so"],
    "asana": ["app.asana.com"],
    "trello": ["trello.com"],
    "whatsapp": ["web.whatsapp.com", "mmg.whatsapp.net"],
    "discord": ["discord.com", "cdn.discordapp.com", "gateway.discord.gg"],
    "ringcentral": ["app.ringcentral.com"],
    "github": ["github.com", "api.github.com", "raw.githubusercontent.com", "objects.githubusercontent.com",
               "github.githubassets.com", "ghcr.io", "codeload.github.com"],
    "gitlab": ["gitlab.com", "registry.gitlab.com"],
    "atlassian": ["acme.atlassian.net", "bitbucket.org", "id.atlassian.com"],
    "aws": ["s3.amazonaws.com", "ec2.us-east-1.amazonaws.com", "console.aws.amazon.com",
            "signin.aws.amazon.com"],
    "dropbox": ["www.dropbox.com", "content.dropboxapi.com", "dl.dropboxusercontent.com"],
    "box": ["app.box.com", "acme.app.box.com"],
    "icloud": ["www.icloud.com", "p12-contacts.icloud.com"],
    "apple-software-update": ["swcdn.apple.com", "mesu.apple.com", "updates.cdn-apple.com"],
    "backblaze": ["f001.backblazeb2.com", "api.backblazeb2.com", "secure.backblaze.com"],
    "carbonite": ["account.carbonite.com"],
    "druva": ["login.druva.com"],
    "acronis": ["cloud.acronis.com"],
    "crashplan": ["console.us2.crashplan.com"],
    "idrive": ["www.idrive.com"],
    "veeam": ["www.veeam.com"],
    "facebook": ["www.facebook.com", "static.xx.fbcdn.net", "connect.facebook.net"],
    "instagram": ["www.instagram.com", "scontent.cdninstagram.com"],
    "linkedin": ["www.linkedin.com", "static.licdn.com"],
    "x": ["x.com", "twitter.com", "pbs.twimg.com", "api.x.com"],
    "tiktok": ["www.tiktok.com"],
    "okta": ["acme.okta.com", "ok1static.oktacdn.com"],
    "teamviewer": ["router1.teamviewer.com"],
    "anydesk": ["relay-1.net.anydesk.com"],
    # Names of no application: the protocol's own.
    None: ["www.example.org", "shop.unlisted.example", "intranet.corp.example"],
}


def main() -> None:
    flows = []

    def keep(label: str, client: str, transport: str, port: int, name: str, data: bytes) -> None:
        flows.append({"label": label, "client": client, "transport": transport, "port": port, "name": name,
                      "payload": data.hex()})

    for app, names in NAMES.items():
        for name in names:
            keep(app or "tls", "curl-tls", "tcp", 443, name, tcp(
                None, f"curl -sk --max-time 3 --resolve {name}:{{port}}:127.0.0.1 https://{name}:{{port}}/",
                silence=0.3))
            keep(app or "tls", "openssl-tls13", "tcp", 443, name, tcp(
                None, f"openssl s_client -tls1_3 -connect 127.0.0.1:{{port}} -servername {name}", silence=0.3))
            keep(app or "quic", "aioquic", "udp", 443, name, quic(None, name, 0x00000001))
            keep(app or "http", "curl-http", "tcp", 80, name, tcp(
                None, f"curl -s --max-time 3 --resolve {name}:{{port}}:127.0.0.1 http://{name}:{{port}}/",
                silence=0.3))
        print(f"{app}: {len(names)} names", file=sys.stderr)
    for user in ["alice", "bob", "git", "root", "pa"]:
        keep("ssh", "openssh", "tcp", 22, "", tcp(
            None, f"ssh -p {{port}} -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=3 "
                  f"{user}@127.0.0.1", silence=0.3))
    for name in ["zoom.us", "www.youtube.com", "github.com", "www.example.org", "mail.google.com"]:
        for qtype in ["A", "AAAA", "HTTPS"]:
            keep("dns", "dig", "udp", 53, name, udp(None, f"dig @127.0.0.1 -p {{port}} {name} {qtype} +tries=1 +time=1"))
    for user in ["alice", "bob", "carol"]:
        keep("sip", "sipsak-options", "udp", 5060, "", udp(None, f"sipsak -s sip:{user}@127.0.0.1:{{port}}"))
        keep("sip", "sipsak-register", "udp", 5060, "", udp(None, f"sipsak -U -s sip:{user}@127.0.0.1:{{port}}"))
    # One address per name in 198.18.0.0/15 (benchmarking, in no prefix rule).
    answered = [(app, name, f"198.18.{200 + i // 250}.{1 + i % 250}")
                for i, (app, name) in enumerate((a, n) for a, ns in NAMES.items() for n in ns)]
    dnsmasq, port = start_dnsmasq([f"--host-record={name},{addr}" for _, name, addr in answered])
    try:
        for app, name, addr in answered:
            flow = {"label": app or "Pending", "client": "dig+dnsmasq", "transport": "dns-answer", "port": 443,
                    "name": name, "address": addr, "payload": dig_answer(port, name, "A").hex()}
            flows.append(flow)
    finally:
        dnsmasq.kill()
        dnsmasq.wait()
    with OUT.open("w") as f:
        for flow in flows:
            f.write(json.dumps(flow) + "\n")
    print(f"{len(flows)} flows in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
