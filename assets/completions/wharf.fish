# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wharf_global_optspecs
    string join \n password-stdin i/identity= J/jump= accept-new-host-key accept-new-cert active endpoint= region= profile= path-style v/verbose timeout= h/help V/version
end

function __fish_wharf_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wharf_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wharf_using_subcommand
    set -l cmd (__fish_wharf_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wharf -n "__fish_wharf_needs_command" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_needs_command" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_needs_command" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_needs_command" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_needs_command" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_needs_command" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_needs_command" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_needs_command" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_needs_command" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_needs_command" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_needs_command" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_needs_command" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wharf -n "__fish_wharf_needs_command" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_needs_command" -a "ls" -d 'List a remote folder'
complete -c wharf -n "__fish_wharf_needs_command" -a "get" -d 'Download a file, or a folder with -r (through the queue)'
complete -c wharf -n "__fish_wharf_needs_command" -a "put" -d 'Upload a file, or a folder with -r (through the queue)'
complete -c wharf -n "__fish_wharf_needs_command" -a "queue" -d 'Show, run or clear the transfer queue'
complete -c wharf -n "__fish_wharf_needs_command" -a "site" -d 'Saved sites: list, add, remove, import (passwords live in the OS keyring). Anywhere a URL is taken, `site:NAME/path` names a saved site and a path on it'
complete -c wharf -n "__fish_wharf_needs_command" -a "mkdir" -d 'Create a remote folder'
complete -c wharf -n "__fish_wharf_needs_command" -a "rm" -d 'Delete a remote file, or a folder and its contents with -r'
complete -c wharf -n "__fish_wharf_needs_command" -a "sync" -d 'Make a folder the same as another, one on this computer and one on a server'
complete -c wharf -n "__fish_wharf_needs_command" -a "mv" -d 'Rename or move a remote file or folder on the same server'
complete -c wharf -n "__fish_wharf_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand ls" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l json -d 'One JSON array of entries on stdout'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand ls" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand get" -s j -l parallel -d 'Transfers at once: 1 to 16, or auto, which starts at 4 per server and doubles while the transfers get faster for it' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -l limit-rate -d 'Bandwidth limit per direction, in bytes per second: 500K, 10M, 1.5G' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -l on-conflict -d 'When the target exists: overwrite, newer (overwrite if the source is newer), differ (overwrite if the size differs), resume (continue a shorter target), rename (keep both), skip' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand get" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand get" -s r -l recursive -d 'Download a folder and everything in it'
complete -c wharf -n "__fish_wharf_using_subcommand get" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand get" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand get" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand get" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand get" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand get" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand get" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand get" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand put" -s j -l parallel -d 'Transfers at once: 1 to 16, or auto, which starts at 4 per server and doubles while the transfers get faster for it' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -l limit-rate -d 'Bandwidth limit per direction, in bytes per second: 500K, 10M, 1.5G' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -l on-conflict -d 'When the target exists: overwrite, newer (overwrite if the source is newer), differ (overwrite if the size differs), resume (continue a shorter target), rename (keep both), skip' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand put" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand put" -s r -l recursive -d 'Upload a folder and everything in it'
complete -c wharf -n "__fish_wharf_using_subcommand put" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand put" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand put" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand put" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand put" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand put" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand put" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand put" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -f -a "list" -d 'List the queue\'s items with their state'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -f -a "run" -d 'Run everything pending, including what an interrupted run left behind'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -f -a "clear" -d 'Remove finished items (done and skipped by default)'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and not __fish_seen_subcommand_from list run clear help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l json -d 'One JSON array of items on stdout'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -s j -l parallel -d 'Transfers at once: 1 to 16, or auto, which starts at 4 per server and doubles while the transfers get faster for it' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l limit-rate -d 'Bandwidth limit per direction, in bytes per second: 500K, 10M, 1.5G' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l on-conflict -d 'When the target exists: overwrite, newer (overwrite if the source is newer), differ (overwrite if the size differs), resume (continue a shorter target), rename (keep both), skip' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l done -d 'Done and skipped items'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l failed -d 'Failed and cancelled items'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l all -d 'Every finished item'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from clear" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the queue\'s items with their state'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run everything pending, including what an interrupted run left behind'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Remove finished items (done and skipped by default)'
complete -c wharf -n "__fish_wharf_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -f -a "list" -d 'List the saved sites'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -f -a "add" -d 'Save a site: `wharf site add web sftp://deploy@web.example.org/var/www --password-stdin`. The password goes to the OS keyring, never to a file'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -f -a "rm" -d 'Forget a site and its password'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -f -a "import" -d 'Import sites from another program'
complete -c wharf -n "__fish_wharf_using_subcommand site; and not __fish_seen_subcommand_from list add rm import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l json -d 'One JSON object: the sites, their folders, and whether a keyring is reachable'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l folder -d 'The folder in the site manager (`Clients/Acme`)' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -f -a "filezilla" -d 'FileZilla\'s site manager (`~/.config/filezilla/sitemanager.xml`); passwords go to the keyring'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -f -a "ssh-config" -d 'OpenSSH\'s client configuration (default `~/.ssh/config`)'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from import" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the saved sites'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "add" -d 'Save a site: `wharf site add web sftp://deploy@web.example.org/var/www --password-stdin`. The password goes to the OS keyring, never to a file'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Forget a site and its password'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import sites from another program'
complete -c wharf -n "__fish_wharf_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand mkdir" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand rm" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand rm" -s r -l recursive -d 'Delete a folder and everything in it'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand rm" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l exclude -d 'Leave out what matches this .gitignore-style pattern, on both sides (repeatable)' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l include -d 'Only files that match this .gitignore-style pattern (repeatable)' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l max-size -d 'Leave out files bigger than this: 500K, 10M, 1.5G' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l max-age -d 'Leave out files last changed longer ago than this: 90s, 30m, 12h, 7d' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s j -l parallel -d 'Transfers at once: 1 to 16, or auto, which starts at 4 per server and doubles while the transfers get faster for it' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l limit-rate -d 'Bandwidth limit per direction, in bytes per second: 500K, 10M, 1.5G' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s n -l dry-run -d 'Print what would be done, and do nothing'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l json -d 'With --dry-run: the plan as one JSON object on stdout'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l delete -d 'Remove files and folders that are only on the target, into the target\'s .wharf-trash folder (undone with --undo)'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l delete-permanently -d 'With --delete: delete for good instead of moving to the trash'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l size-only -d 'Compare sizes only, not modification times'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l checksum -d 'Compare files of the same size by their checksums (the server\'s own, or each file read through) instead of their times'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l newer-only -d 'Never replace a target file that is newer than its source (it is reported as a conflict)'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l exclude-hidden -d 'Leave out files and folders whose names start with a dot'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l undo -d 'Put back what the last sync into the target deleted, and stop'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wharf -n "__fish_wharf_using_subcommand sync" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -s i -l identity -d 'Private key file for SFTP (OpenSSH format; a passphrase is read like a password)' -r -F
complete -c wharf -n "__fish_wharf_using_subcommand mv" -s J -l jump -d 'SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated by commas. Replaces the ProxyJump of ~/.ssh/config' -r
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l endpoint -d 'S3: the service\'s URL, for S3-compatible storage (`https://minio.example:9000`). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile\'s endpoint_url, else AWS' -r
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l region -d 'S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile\'s, else us-east-1' -r
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l profile -d 'S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else default' -r
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l timeout -d 'Seconds a connection may move nothing before it is given up (a transfer is then retried and resumes)' -r
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l accept-new-host-key -d 'Trust an unknown SSH host key and record it in Wharf\'s known_hosts'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l accept-new-cert -d 'Trust an unknown TLS certificate and pin its fingerprint for this host'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l active -d 'FTP active mode (EPRT/PORT): the server connects back to this computer'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -l path-style -d 'S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the default at an endpoint given with --endpoint'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -s v -l verbose -d 'Print every command and reply (passwords masked) on stderr'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -s h -l help -d 'Print help'
complete -c wharf -n "__fish_wharf_using_subcommand mv" -s V -l version -d 'Print version'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "ls" -d 'List a remote folder'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "get" -d 'Download a file, or a folder with -r (through the queue)'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "put" -d 'Upload a file, or a folder with -r (through the queue)'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "queue" -d 'Show, run or clear the transfer queue'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "site" -d 'Saved sites: list, add, remove, import (passwords live in the OS keyring). Anywhere a URL is taken, `site:NAME/path` names a saved site and a path on it'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "mkdir" -d 'Create a remote folder'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "rm" -d 'Delete a remote file, or a folder and its contents with -r'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "sync" -d 'Make a folder the same as another, one on this computer and one on a server'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "mv" -d 'Rename or move a remote file or folder on the same server'
complete -c wharf -n "__fish_wharf_using_subcommand help; and not __fish_seen_subcommand_from ls get put queue site mkdir rm sync mv help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "list" -d 'List the queue\'s items with their state'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "run" -d 'Run everything pending, including what an interrupted run left behind'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "clear" -d 'Remove finished items (done and skipped by default)'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "list" -d 'List the saved sites'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "add" -d 'Save a site: `wharf site add web sftp://deploy@web.example.org/var/www --password-stdin`. The password goes to the OS keyring, never to a file'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "rm" -d 'Forget a site and its password'
complete -c wharf -n "__fish_wharf_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "import" -d 'Import sites from another program'
