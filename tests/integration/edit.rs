//! The edit loop end to end (issue 13): the real window over a real engine and the
//! in-process SFTP server, with an editor command that saves; the same steps run against
//! vsftpd in the interop suite.

use crate::support::sftp_server::{SftpServer, USER};
use crate::support::window::edit_loop;

#[test]
fn a_file_edited_over_sftp_is_uploaded_on_save_and_a_change_on_the_server_is_asked_about() {
    let (home, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::create_dir(root.path().join("site")).unwrap();
    let server = SftpServer::start(root.path(), "edit-pw", None);
    let config = home.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("known_hosts"), server.known_hosts_line()).unwrap();
    let link = format!("sftp://{USER}:edit-pw@127.0.0.1:{}/site", server.port);

    edit_loop(home.path(), &link, "page.html", &server.root.join("site/page.html"));
}
