//! `--pipe`: mass insertion. Raw RESP from stdin goes to the server as it is while the replies are counted; the
//! end is found with an `ECHO` of a random 20-byte mark, as in redis-cli's `pipeMode`.
//!
//! redis-cli multiplexes one non-blocking socket; here a scoped thread copies stdin to the socket while this one
//! reads replies, which is simpler with blocking std sockets and keeps both directions flowing (a server stops
//! reading when its replies are not read, so a single blocking loop could deadlock on a big input).

use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use resp::Frame;

use crate::client::Client;

/// What the stdin-copying thread tells the reader.
enum Event {
    /// Stdin is exhausted and the `ECHO` of this mark is being sent.
    Eof([u8; 20]),
    /// Writing to the server or reading stdin failed: the message redis-cli prints before exiting 1.
    Failed(String),
}

/// Copies `stdin` to the server and prints the counts; `timeout_seconds` (0: none) bounds the wait for replies
/// after the last byte was sent.
pub fn run(
    client: &mut Client,
    timeout_seconds: u64,
    stdin: &mut (dyn Read + Send),
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let mut writer = client.try_clone_writer()?;
    // Short reads let the reader notice the writer's events and the timeout.
    client.set_read_timeout(Some(Duration::from_millis(100)))?;
    let (events, received) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(move || copy_input(stdin, &mut writer, &events));
        count_replies(client, timeout_seconds, &received, stdout, stderr)
    })
}

fn copy_input(stdin: &mut (dyn Read + Send), server: &mut dyn Write, events: &mpsc::Sender<Event>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match stdin.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                let _ = events.send(Event::Failed(format!(
                    "Error reading from stdin: {}",
                    crate::client::describe_io_error(&error)
                )));
                return;
            }
        };
        if let Err(error) = server.write_all(&buffer[..read]) {
            let _ = events.send(Event::Failed(format!(
                "Error writing to the server: {}",
                crate::client::describe_io_error(&error)
            )));
            return;
        }
    }
    let mark = random_mark();
    // The leading CRLF makes the ECHO parse even after garbage in the input; Redis ignores empty lines.
    let mut echo = b"\r\n*2\r\n$4\r\nECHO\r\n$20\r\n".to_vec();
    echo.extend_from_slice(&mark);
    echo.extend_from_slice(b"\r\n");
    // Announce before sending, so the reader knows the mark before its reply can arrive.
    let _ = events.send(Event::Eof(mark));
    if let Err(error) = server.write_all(&echo).and_then(|()| server.flush()) {
        let _ = events.send(Event::Failed(format!(
            "Error writing to the server: {}",
            crate::client::describe_io_error(&error)
        )));
    }
}

fn count_replies(
    client: &mut Client,
    timeout_seconds: u64,
    events: &mpsc::Receiver<Event>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let (mut errors, mut replies) = (0u64, 0u64);
    let mut mark = None;
    let mut last_read = Instant::now();
    'done: loop {
        while let Ok(event) = events.try_recv() {
            match event {
                Event::Eof(sent) => {
                    mark = Some(sent);
                    stdout.write_all(b"All data transferred. Waiting for the last reply...\n")?;
                    stdout.flush()?;
                }
                Event::Failed(message) => {
                    writeln!(stderr, "{message}")?;
                    return Ok(1);
                }
            }
        }
        loop {
            let reply = match client.buffered_reply() {
                Ok(Some(reply)) => reply,
                Ok(None) => break,
                Err(_) => {
                    writeln!(stderr, "Error reading replies from server")?;
                    return Ok(1);
                }
            };
            last_read = Instant::now();
            replies += 1;
            match &reply {
                Frame::Error(text) | Frame::BulkError(text) => {
                    stderr.write_all(text)?;
                    stderr.write_all(b"\n")?;
                    errors += 1;
                }
                Frame::Bulk(data) if mark.as_ref().is_some_and(|mark| &data[..] == mark) => {
                    stdout.write_all(b"Last reply received from server.\n")?;
                    replies -= 1;
                    break 'done;
                }
                _ => {}
            }
        }
        match client.fill() {
            // The server closed the connection: redis-cli exits 1 without a word.
            Ok(0) => return Ok(1),
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return Ok(1),
        }
        if mark.is_some() && timeout_seconds > 0 && last_read.elapsed().as_secs() > timeout_seconds
        {
            writeln!(stderr, "No replies for {timeout_seconds} seconds: exiting.")?;
            errors += 1;
            break;
        }
    }
    writeln!(stdout, "errors: {errors}, replies: {replies}")?;
    stdout.flush()?;
    Ok(if errors > 0 { 1 } else { 0 })
}

/// 20 unpredictable bytes, so the mark cannot collide with a reply from the user's own data.
fn random_mark() -> [u8; 20] {
    let mut mark = [0u8; 20];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut mark))
        .is_ok()
    {
        return mark;
    }
    // No /dev/urandom: std's randomly keyed hasher is random enough for a one-off mark.
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    for (index, chunk) in mark.chunks_mut(8).enumerate() {
        let mut hasher = state.build_hasher();
        hasher.write_usize(index);
        let bytes = hasher.finish().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    mark
}
