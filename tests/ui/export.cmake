# export dialog tests
eventscope_add_test(tst_exportdialog SOURCES tst_exportdialog.cpp LIBS eventscope_ui eventscope_testsupport)
