//! The channel the frames (`protocol.rs`) travel on, which nothing else writes to. On Unix, a
//! socket pair: the build process gets its end as its stdin and both reads requests and writes
//! frames on it, while its stdout (where a stray `print!` of a dependency goes) is `serve`'s
//! stderr, never read as frames. Elsewhere, the child's stdin and stdout pipes, still checked
//! frame by frame, so a stray print there ends that build process instead of being misread.

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The reading half of a channel.
pub(crate) type Reader = Box<dyn Read + Send>;
/// The writing half of a channel.
pub(crate) type Writer = Box<dyn Write + Send>;

/// Starts `program` with `args` and a channel to it.
pub(crate) fn spawn(
    program: &Path,
    args: &[&std::ffi::OsStr],
) -> io::Result<(Child, Reader, Writer)> {
    // Built and dropped here: the command holds the child's end, which must close in `serve`
    // so that the child's death ends the channel.
    let mut command = Command::new(program);
    command.args(args).stderr(Stdio::inherit());
    spawn_with_channel(command)
}

#[cfg(unix)]
fn spawn_with_channel(mut command: Command) -> io::Result<(Child, Reader, Writer)> {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;
    let (ours, theirs) = UnixStream::pair()?;
    let child = command
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(Stdio::from(io::stderr()))
        .spawn()?;
    drop(command);
    Ok((child, Box::new(ours.try_clone()?), Box::new(ours)))
}

#[cfg(not(unix))]
fn spawn_with_channel(mut command: Command) -> io::Result<(Child, Reader, Writer)> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let input = child.stdin.take().ok_or(io::ErrorKind::BrokenPipe)?;
    let output = child.stdout.take().ok_or(io::ErrorKind::BrokenPipe)?;
    Ok((child, Box::new(output), Box::new(input)))
}

/// The build process's end of the channel `spawn` made.
#[cfg(unix)]
pub(crate) fn of_build_process() -> io::Result<(Reader, Writer)> {
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    let socket = UnixStream::from(io::stdin().as_fd().try_clone_to_owned()?);
    Ok((Box::new(socket.try_clone()?), Box::new(socket)))
}

#[cfg(not(unix))]
pub(crate) fn of_build_process() -> io::Result<(Reader, Writer)> {
    Ok((Box::new(io::stdin()), Box::new(io::stdout())))
}
