//! An upload's bytes between the local file and the server. libssh2's SFTP writer keeps in
//! flight what it is handed and not yet acknowledged, and reports each acknowledgement as a
//! short write. Handed one buffer after another, it lets what is in flight drain to nothing
//! at the end of every buffer: a round trip of silence per buffer, half the speed on a 40 ms
//! link. The window hands the writer what it has not taken yet, topped up from the file
//! after every short write, so that a whole window stays in flight.

use std::io::{self, Read};

pub struct SendWindow {
    /// Twice the window, so that what is left is moved to the front at most once per window
    /// of bytes taken.
    buffer: Vec<u8>,
    /// `buffer[start..end]` is read from the file and not yet taken by the writer.
    start: usize,
    end: usize,
    window: usize,
    source_ended: bool,
}

impl SendWindow {
    /// A window of `window` bytes (at least one).
    pub fn new(window: usize) -> SendWindow {
        let window = window.max(1);
        SendWindow {
            buffer: vec![0; 2 * window],
            start: 0,
            end: 0,
            window,
            source_ended: false,
        }
    }

    /// Reads from `source` until the window is full or the source has ended.
    pub fn fill(&mut self, source: &mut dyn Read) -> io::Result<()> {
        while !self.source_ended && self.end - self.start < self.window {
            if self.end == self.buffer.len() {
                self.buffer.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            let limit = (self.start + self.window).min(self.buffer.len());
            match source.read(&mut self.buffer[self.end..limit]) {
                Ok(0) => self.source_ended = true,
                Ok(count) => self.end += count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// What the writer has not taken yet; empty once the source has ended and all is taken.
    pub fn pending(&self) -> &[u8] {
        &self.buffer[self.start..self.end]
    }

    /// The writer took the first `count` bytes of [`SendWindow::pending`].
    pub fn taken(&mut self, count: usize) {
        self.start += count.min(self.end - self.start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives out its bytes a few at a time, as a file read may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let count = buf.len().min(13).min(self.0.len());
            buf[..count].copy_from_slice(&self.0[..count]);
            self.0 = &self.0[count..];
            Ok(count)
        }
    }

    #[test]
    fn the_writer_is_always_handed_a_full_window_until_the_source_ends() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut source = Trickle(&data);
        let mut window = SendWindow::new(100);
        let mut received = Vec::new();
        loop {
            window.fill(&mut source).unwrap();
            let pending = window.pending();
            if pending.is_empty() {
                break;
            }
            let left = data.len() - received.len();
            // The point of the window: never less than a window is offered while there is
            // that much left, however little the writer took last time.
            assert_eq!(pending.len(), left.min(100));
            // A writer that acknowledges 7 bytes at a time.
            let count = pending.len().min(7);
            received.extend_from_slice(&pending[..count]);
            window.taken(count);
        }
        assert!(received == data, "the bytes arrive whole and in order");
    }
}
