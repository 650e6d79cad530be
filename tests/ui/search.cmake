# Search panel and sealed export/verify dialogs, offscreen against redis-server.
eventscope_add_test(tst_searchpanel SOURCES tst_searchpanel.cpp LIBS eventscope_ui eventscope_testsupport)
eventscope_add_test(tst_sealedexportdialog SOURCES tst_sealedexportdialog.cpp LIBS eventscope_ui eventscope_testsupport)
