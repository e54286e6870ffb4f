//! Data-driven snapshots: each `tests/data/*.resp` file holds raw wire bytes; files named `command_*` go
//! through the request decoder, `frame_*` through the reply decoder, and the snapshot lists what came out
//! (with each command's `wire_len`) and the error that stopped decoding, if any.

use std::fmt::Write as _;

use resp::{CommandDecoder, FrameDecoder};

use crate::support::{escape, every_byte, feed_until_error};

/// The decoded contents of one data file, as snapshot text. Also checks that feeding it byte by byte
/// gives the same text, so every data file is a split test too.
fn render(name: &str, input: &[u8]) -> String {
    let render_with = |cuts: &[usize]| {
        let mut out = String::new();
        let error = if name.starts_with("command_") {
            let (decoded, error) = feed_until_error(&mut CommandDecoder::default(), input, cuts);
            for command in &decoded {
                render_args(&mut out, &command.args, command.wire_len);
            }
            error
        } else {
            let (decoded, error) = feed_until_error(&mut FrameDecoder::new(), input, cuts);
            for frame in &decoded {
                let _ = writeln!(out, "{frame:?}");
            }
            error
        };
        if let Some(error) = error {
            let _ = writeln!(out, "error: {error}");
        }
        out
    };
    let whole = render_with(&[]);
    assert_eq!(
        render_with(&every_byte(input)),
        whole,
        "{name} fed byte by byte"
    );
    whole
}

fn render_args(out: &mut String, args: &[bytes::Bytes], wire_len: usize) {
    let args: Vec<String> = args
        .iter()
        .map(|arg| format!("\"{}\"", escape(arg)))
        .collect();
    let _ = writeln!(out, "[{}] wire_len={wire_len}", args.join(", "));
}

#[test]
fn data_files() {
    insta::glob!("../data", "*.resp", |path| {
        let input = std::fs::read(path).expect("read data file");
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        insta::assert_snapshot!(render(name, &input));
    });
}
