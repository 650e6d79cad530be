# Connection profiles (QSettings), their passwords (the system keychain through QtKeychain) and the connection dialog.
# GLOBAL: the tests link eventscope_ui from another directory, where a directory-scoped imported target is unknown.
find_package(Qt6Keychain REQUIRED GLOBAL)
target_sources(eventscope_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/connectionprofile.cpp ${CMAKE_CURRENT_LIST_DIR}/connectionprofile.h
    ${CMAKE_CURRENT_LIST_DIR}/secretstore.cpp ${CMAKE_CURRENT_LIST_DIR}/secretstore.h
    ${CMAKE_CURRENT_LIST_DIR}/connectiondialog.cpp ${CMAKE_CURRENT_LIST_DIR}/connectiondialog.h
)
target_link_libraries(eventscope_ui PUBLIC Qt6Keychain::Qt6Keychain)
