//! SSH: the client's identification string (RFC 4253 §4.2), which it sends first.

use super::Inspect;

const VERSIONS: &[&[u8]] = &[b"SSH-2.0-", b"SSH-1.99-"];

pub fn identification(stream: &[u8]) -> Inspect<()> {
    for v in VERSIONS {
        if stream.starts_with(v) {
            return Inspect::Found(());
        }
        if v.starts_with(stream) {
            return Inspect::NeedMore;
        }
    }
    Inspect::NotThis
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENSSH: &[u8] = include_bytes!("testdata/ssh_openssh.bin");

    #[test]
    fn openssh_is_ssh_and_its_prefixes_need_more() {
        assert_eq!(identification(OPENSSH), Inspect::Found(()));
        for cut in 0..8 {
            assert_eq!(identification(&OPENSSH[..cut]), Inspect::NeedMore, "cut at {cut}");
        }
    }

    #[test]
    fn other_banners_are_not_ssh() {
        assert_eq!(identification(b"SSH-3.0-x\r\n"), Inspect::NotThis);
        assert_eq!(identification(b"GET / HTTP/1.1\r\n"), Inspect::NotThis);
    }
}
