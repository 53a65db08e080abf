package io.promfetcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .ci/wait-for-package-lock, which the prerequisites run before apt-get: it waits while another
 * program holds a POSIX lock on the package manager's lock files (as apt and dpkg take them),
 * naming it, and goes on once it is released — or gives up after its limit.
 */
class PackageLockIT {
    @TempDir
    Path dir;

    private Process waitFor(Path lock, String limitSeconds) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ShippedFiles.repository().resolve(".ci/wait-for-package-lock").toString(),
                lock.toString()).redirectErrorStream(true);
        builder.environment().put("WAIT_FOR_PACKAGE_LOCK_SECONDS", limitSeconds);
        return builder.start();
    }

    @Test
    void aHeldLockIsWaitedForWithTheHolderNamedAndReleasedGoesOn() throws Exception {
        Path lock = dir.resolve("lock-frontend");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.lock(); // fcntl: a POSIX lock, as dpkg takes it
            Process waiting = waitFor(lock, "60");
            assertThat(waiting.waitFor(2, TimeUnit.SECONDS)).as("still waiting while the lock is held").isFalse();
            held.release();
            assertThat(waiting.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String said = new String(waiting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(waiting.exitValue()).as(said).isZero();
            assertThat(said).contains("waiting for the package lock " + lock + ", held by java (pid " + ProcessHandle.current().pid() + ")")
                    .contains("the package lock is free");
        }
    }

    @Test
    void aLockHeldBeyondTheLimitFailsNamingTheHolder() throws Exception {
        Path lock = dir.resolve("lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            Process waiting = waitFor(lock, "1");
            assertThat(waiting.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String said = new String(waiting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(waiting.exitValue()).isEqualTo(1);
            assertThat(said).contains("is still held by java");
        }
    }

    @Test
    void aFreeOrMissingLockDoesNotWait() throws Exception {
        Process waiting = waitFor(dir.resolve("absent"), "60");
        assertThat(waiting.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(waiting.exitValue()).isZero();
        assertThat(new String(waiting.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    }
}
