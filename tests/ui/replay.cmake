# replay view tests: the editor without a server; the view against redis-server and the real sandbox
eventscope_add_test(tst_projectioneditor SOURCES tst_projectioneditor.cpp LIBS eventscope_ui)
eventscope_add_test(tst_replayview SOURCES tst_replayview.cpp LIBS eventscope_ui eventscope_testsupport)
target_compile_definitions(tst_replayview PRIVATE EVENTSCOPE_SANDBOX_PATH="$<TARGET_FILE:eventscope-sandbox>")
add_dependencies(tst_replayview eventscope-sandbox)
