# Connection profiles, the keychain wrapper and the connection dialog: no server needed.
eventscope_add_test(tst_connectionprofile SOURCES tst_connectionprofile.cpp LIBS eventscope_ui eventscope_cli eventscope_testsupport)
eventscope_add_test(tst_connectiondialog SOURCES tst_connectiondialog.cpp LIBS eventscope_ui eventscope_testsupport)
