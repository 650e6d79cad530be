// RESP encoding of commands and the read allowlist behind the read-only guard.
#include "rediscommand.h"

#include <QTest>

using namespace Eventscope;

class TestRedisCommand final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void format_data();
    void format();
    void readOnly_data();
    void readOnly();
    void name_data();
    void name();
};

void TestRedisCommand::format_data()
{
    QTest::addColumn<RedisCommand>("command");
    QTest::addColumn<QByteArray>("wire");

    QTest::newRow("LLEN") << RedisCommand{"LLEN", "key"} << QByteArray("*2\r\n$4\r\nLLEN\r\n$3\r\nkey\r\n");
    QTest::newRow("PING") << RedisCommand{"PING"} << QByteArray("*1\r\n$4\r\nPING\r\n");
    QTest::newRow("empty argument") << RedisCommand{"SET", "k", ""}
                                    << QByteArray("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    QTest::newRow("binary argument")
        << RedisCommand{"HSET", "EventStore", "e1", QByteArray("a\r\n\0\xff", 5)}
        << QByteArray("*4\r\n$4\r\nHSET\r\n$10\r\nEventStore\r\n$2\r\ne1\r\n$5\r\na\r\n\0\xff\r\n", 50);
    QTest::newRow("spaces stay in one argument")
        << RedisCommand{"GET", "a b"} << QByteArray("*2\r\n$3\r\nGET\r\n$3\r\na b\r\n");
    QTest::newRow("megabyte argument") << RedisCommand{"ECHO", QByteArray(1234567, 'x')}
                                       << "*2\r\n$4\r\nECHO\r\n$1234567\r\n" + QByteArray(1234567, 'x') + "\r\n";
    QTest::newRow("no arguments") << RedisCommand{} << QByteArray("*0\r\n");
}

void TestRedisCommand::format()
{
    QFETCH(RedisCommand, command);
    QFETCH(QByteArray, wire);
    QCOMPARE(formatCommand(command), wire);
}

void TestRedisCommand::readOnly_data()
{
    QTest::addColumn<RedisCommand>("command");
    QTest::addColumn<bool>("allowed");

    // Reads the inspector needs.
    QTest::newRow("GET") << RedisCommand{"GET", "k"} << true;
    QTest::newRow("LRANGE") << RedisCommand{"LRANGE", "customer-42", "0", "99"} << true;
    QTest::newRow("LLEN") << RedisCommand{"LLEN", "customer-42"} << true;
    QTest::newRow("HLEN") << RedisCommand{"HLEN", "EventStore"} << true;
    QTest::newRow("HMGET") << RedisCommand{"HMGET", "EventStore", "e1", "e2"} << true;
    QTest::newRow("lowercase hmget") << RedisCommand{"hmget", "EventStore", "e1"} << true;
    QTest::newRow("mixed-case Scan") << RedisCommand{"Scan", "0", "MATCH", "*", "TYPE", "list"} << true;
    QTest::newRow("SCAN") << RedisCommand{"SCAN", "0"} << true;
    QTest::newRow("TYPE") << RedisCommand{"TYPE", "k"} << true;
    QTest::newRow("AUTH") << RedisCommand{"AUTH", "user", "pw"} << true;
    QTest::newRow("HELLO") << RedisCommand{"HELLO"} << true;
    QTest::newRow("SELECT") << RedisCommand{"SELECT", "2"} << true;
    QTest::newRow("PING") << RedisCommand{"PING"} << true;
    QTest::newRow("INFO") << RedisCommand{"INFO", "server"} << true;
    QTest::newRow("SUBSCRIBE") << RedisCommand{"SUBSCRIBE", "EventStore"} << true;
    QTest::newRow("PSUBSCRIBE") << RedisCommand{"PSUBSCRIBE", "*"} << true;
    QTest::newRow("UNSUBSCRIBE") << RedisCommand{"UNSUBSCRIBE"} << true;
    QTest::newRow("ZSCAN") << RedisCommand{"ZSCAN", "z", "0"} << true;
    QTest::newRow("CLIENT SETNAME") << RedisCommand{"CLIENT", "SETNAME", "eventscope"} << true;
    QTest::newRow("client getname") << RedisCommand{"client", "getname"} << true;
    QTest::newRow("CLIENT TRACKINGINFO") << RedisCommand{"CLIENT", "TRACKINGINFO"} << true;
    QTest::newRow("OBJECT ENCODING") << RedisCommand{"OBJECT", "ENCODING", "k"} << true;
    QTest::newRow("MEMORY USAGE") << RedisCommand{"MEMORY", "USAGE", "k"} << true;
    QTest::newRow("SCRIPT EXISTS") << RedisCommand{"SCRIPT", "EXISTS", "abc"} << true;
    QTest::newRow("script exists lowercase") << RedisCommand{"script", "exists", "abc"} << true;

    // Anything that changes data, server state or configuration.
    QTest::newRow("SET") << RedisCommand{"SET", "k", "v"} << false;
    QTest::newRow("HSET") << RedisCommand{"HSET", "EventStore", "e1", "x"} << false;
    QTest::newRow("hset lowercase") << RedisCommand{"hset", "EventStore", "e1", "x"} << false;
    QTest::newRow("HDEL") << RedisCommand{"HDEL", "EventStore", "e1"} << false;
    QTest::newRow("RPUSH") << RedisCommand{"RPUSH", "s", "e1"} << false;
    QTest::newRow("LPOP") << RedisCommand{"LPOP", "s"} << false;
    QTest::newRow("DEL") << RedisCommand{"DEL", "k"} << false;
    QTest::newRow("UNLINK") << RedisCommand{"UNLINK", "k"} << false;
    QTest::newRow("EXPIRE") << RedisCommand{"EXPIRE", "k", "1"} << false;
    QTest::newRow("RENAME") << RedisCommand{"RENAME", "a", "b"} << false;
    QTest::newRow("EVAL") << RedisCommand{"EVAL", "return 1", "0"} << false;
    QTest::newRow("EVAL_RO") << RedisCommand{"EVAL_RO", "redis.call('del','k')", "0"} << false;
    QTest::newRow("EVALSHA") << RedisCommand{"EVALSHA", "abc", "0"} << false;
    QTest::newRow("FCALL") << RedisCommand{"FCALL", "f", "0"} << false;
    QTest::newRow("SCRIPT LOAD") << RedisCommand{"SCRIPT", "LOAD", "return 1"} << false;
    QTest::newRow("SCRIPT FLUSH") << RedisCommand{"SCRIPT", "FLUSH"} << false;
    QTest::newRow("SCRIPT alone") << RedisCommand{"SCRIPT"} << false;
    QTest::newRow("CLIENT KILL") << RedisCommand{"CLIENT", "KILL", "ID", "7"} << false;
    QTest::newRow("CLIENT PAUSE") << RedisCommand{"CLIENT", "PAUSE", "1000"} << false;
    QTest::newRow("CLIENT alone") << RedisCommand{"CLIENT"} << false;
    QTest::newRow("CONFIG SET") << RedisCommand{"CONFIG", "SET", "save", ""} << false;
    QTest::newRow("CONFIG GET") << RedisCommand{"CONFIG", "GET", "*"} << false;
    QTest::newRow("OBJECT HELP") << RedisCommand{"OBJECT", "HELP"} << false;
    QTest::newRow("MEMORY PURGE") << RedisCommand{"MEMORY", "PURGE"} << false;
    QTest::newRow("FLUSHALL") << RedisCommand{"FLUSHALL"} << false;
    QTest::newRow("FLUSHDB") << RedisCommand{"FLUSHDB", "ASYNC"} << false;
    QTest::newRow("PUBLISH") << RedisCommand{"PUBLISH", "EventStore", "e1"} << false;
    QTest::newRow("SHUTDOWN") << RedisCommand{"SHUTDOWN"} << false;
    QTest::newRow("DEBUG") << RedisCommand{"DEBUG", "SLEEP", "1"} << false;
    QTest::newRow("MULTI") << RedisCommand{"MULTI"} << false;
    QTest::newRow("SORT with STORE") << RedisCommand{"SORT", "k", "STORE", "dst"} << false;
    QTest::newRow("unknown command") << RedisCommand{"GETX", "k"} << false;
    QTest::newRow("name with a space") << RedisCommand{"GET ", "k"} << false;
    QTest::newRow("empty name") << RedisCommand{""} << false;
    QTest::newRow("empty command") << RedisCommand{} << false;
}

void TestRedisCommand::readOnly()
{
    QFETCH(RedisCommand, command);
    QFETCH(bool, allowed);
    QCOMPARE(isReadOnlyCommand(command), allowed);
}

void TestRedisCommand::name_data()
{
    QTest::addColumn<RedisCommand>("command");
    QTest::addColumn<QByteArray>("name");

    QTest::newRow("upper-cased") << RedisCommand{"hset", "EventStore", "e1", "secret payload"} << QByteArray("HSET");
    QTest::newRow("subcommand") << RedisCommand{"client", "kill", "ID", "7"} << QByteArray("CLIENT KILL");
    QTest::newRow("script load") << RedisCommand{"SCRIPT", "LOAD", "return 1"} << QByteArray("SCRIPT LOAD");
    QTest::newRow("config set") << RedisCommand{"CONFIG", "SET", "requirepass", "S3cr3t-pw"}
                                << QByteArray("CONFIG SET");
    QTest::newRow("subcommand-bearing alone") << RedisCommand{"CLIENT"} << QByteArray("CLIENT");
    QTest::newRow("auth hides its arguments") << RedisCommand{"AUTH", "alice", "S3cr3t-pw"} << QByteArray("AUTH");
    QTest::newRow("second word of a plain command") << RedisCommand{"GET", "key"} << QByteArray("GET");
    QTest::newRow("empty") << RedisCommand{} << QByteArray();
}

void TestRedisCommand::name()
{
    QFETCH(RedisCommand, command);
    QFETCH(QByteArray, name);
    QCOMPARE(commandName(command), name);
}

QTEST_GUILESS_MAIN(TestRedisCommand)
#include "tst_rediscommand.moc"
