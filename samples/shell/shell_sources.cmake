# The shell program's sources, for every app that builds the shell
# (samples/shell, samples/portable): one list, so a new source file of the
# shell reaches them all.
set(SHELL_SOURCES shell.c commands.c exec.c files.c io.c parse.c trace.c dbg.c)
list(TRANSFORM SHELL_SOURCES PREPEND ${RVOS_BASE}/samples/shell/src/)
